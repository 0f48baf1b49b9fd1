//! AWS resource states as enums. AWS spells some of them differently across APIs and SDK
//! versions (`available` in answers, `Available` in the SDK's enum; `pendingAcceptance`), so
//! they are parsed without regard to case; a state we do not know keeps AWS's spelling.

macro_rules! aws_state {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum $name {
            $($variant,)+
            /// A state this provider does not know, as AWS spelled it.
            Other(String),
        }

        impl $name {
            pub fn parse(text: &str) -> Self {
                $(if text.eq_ignore_ascii_case($text) {
                    return $name::$variant;
                })+
                $name::Other(text.to_string())
            }

            /// AWS's documented spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)+
                    $name::Other(text) => text,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

aws_state!(
    /// An interface endpoint's state, and a connection's as the service owner sees it
    /// (EC2 API reference, `VpcEndpoint.State` / `VpcEndpointConnection.VpcEndpointState`).
    EndpointState {
        PendingAcceptance => "pendingAcceptance",
        Pending => "pending",
        Available => "available",
        Deleting => "deleting",
        Deleted => "deleted",
        Rejected => "rejected",
        Failed => "failed",
        Expired => "expired",
        Partial => "partial",
    }
);

impl EndpointState {
    /// Connected, or on the way to it: what blocks deleting the service.
    pub fn is_live(&self) -> bool {
        matches!(
            self,
            EndpointState::PendingAcceptance | EndpointState::Pending | EndpointState::Available
        )
    }

    pub fn is_gone(&self) -> bool {
        matches!(self, EndpointState::Deleting | EndpointState::Deleted)
    }
}

aws_state!(
    /// An endpoint service's state (`ServiceConfiguration.ServiceState`).
    ServiceState {
        Pending => "Pending",
        Available => "Available",
        Deleting => "Deleting",
        Deleted => "Deleted",
        Failed => "Failed",
    }
);

impl ServiceState {
    pub fn is_gone(&self) -> bool {
        matches!(self, ServiceState::Deleting | ServiceState::Deleted)
    }
}

aws_state!(
    /// A load balancer's state (`LoadBalancerState.Code`).
    LoadBalancerState {
        Provisioning => "provisioning",
        Active => "active",
        ActiveImpaired => "active_impaired",
        Failed => "failed",
    }
);

aws_state!(
    /// The verification of an endpoint service's private DNS name.
    DnsVerificationState {
        PendingVerification => "pendingVerification",
        Verified => "verified",
        Failed => "failed",
    }
);

aws_state!(
    /// A registered target's health (`TargetHealth.State`).
    TargetHealthState {
        Initial => "initial",
        Healthy => "healthy",
        Unhealthy => "unhealthy",
        UnhealthyDraining => "unhealthy.draining",
        Unused => "unused",
        Draining => "draining",
        Unavailable => "unavailable",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_parse_whatever_the_casing() {
        assert_eq!(EndpointState::parse("available"), EndpointState::Available);
        assert_eq!(EndpointState::parse("Available"), EndpointState::Available);
        assert_eq!(
            EndpointState::parse("PendingAcceptance"),
            EndpointState::PendingAcceptance
        );
        assert_eq!(ServiceState::parse("available"), ServiceState::Available);
        assert_eq!(
            LoadBalancerState::parse("ACTIVE_IMPAIRED"),
            LoadBalancerState::ActiveImpaired
        );
        let odd = EndpointState::parse("somethingNew");
        assert_eq!(odd.to_string(), "somethingNew");
        assert!(!odd.is_live());
    }
}
