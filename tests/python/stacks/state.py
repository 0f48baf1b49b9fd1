"""A stack's state between runs, as the engine keeps it in its checkpoint: each resource's URN key,
type, name, id, inputs, outputs and provider reference, in the order they were created (so a
destroy goes in reverse), and the stack's outputs. One JSON file per stack:
`<backend>/<project>/<stack>.json`, with the stack's config beside it (`<stack>.config.json`)."""

import json
import os


def display_type(type_token):
    """`aws:ec2/vpc:Vpc` as the CLI shows it: `aws:ec2:Vpc`."""
    parts = type_token.split(":")
    if len(parts) == 3 and "/" in parts[1]:
        parts[1] = parts[1].split("/")[0]
    return ":".join(parts)


class StackState:
    def __init__(self, path):
        self.path = path
        self.data = {"resources": [], "outputs": {}, "secretOutputNames": []}
        if os.path.exists(path):
            with open(path) as handle:
                self.data = json.load(handle)

    def save(self):
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        temporary = f"{self.path}.tmp"
        with open(temporary, "w") as handle:
            json.dump(self.data, handle, indent=1, sort_keys=True)
        os.replace(temporary, self.path)

    def records(self):
        return list(self.data["resources"])

    def get(self, key):
        return next((r for r in self.data["resources"] if r["key"] == key), None)

    def provider_by_id(self, provider_id):
        return next((r for r in self.data["resources"]
                     if r["type"].startswith("pulumi:providers:") and r["id"] == provider_id), None)

    def put(self, key, type_token, name, resource_id, inputs, outputs, provider):
        """Records a resource (in place when known, else last) and writes the file at once, so a
        failure later in the run loses nothing."""
        record = {"key": key, "type": type_token, "name": name, "id": resource_id, "inputs": inputs,
                  "outputs": outputs, "provider": provider}
        for index, old in enumerate(self.data["resources"]):
            if old["key"] == key:
                self.data["resources"][index] = record
                break
        else:
            self.data["resources"].append(record)
        self.save()

    def remove(self, key):
        self.data["resources"] = [r for r in self.data["resources"] if r["key"] != key]
        self.save()

    def set_outputs(self, outputs, secret_names):
        self.data["outputs"] = outputs
        self.data["secretOutputNames"] = secret_names
        self.save()

    def outputs(self):
        return self.data["outputs"], self.data["secretOutputNames"]
