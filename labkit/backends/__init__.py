"""Backends: what implements the gateway's ports (labkit.gateway.ports) over a real control plane.

`moto/` runs moto in this process (patches, the DefinitionSource over moto's models, `requests`
interception, test-invoke wiring); `remote.py` reads a server or AWS through boto3; `services.py`
is the boto3 ServiceClients. The gateway never imports them: the Lab wires them in.
"""
