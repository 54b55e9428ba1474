"""Start moto's server with one fix for a moto bug that has no AWS counterpart, and one AWS call moto lacks.

moto's UpdateUserPool replaces the pool's whole configuration, which also drops UsernameAttributes,
AliasAttributes and UsernameConfiguration. Those are not UpdateUserPool parameters: AWS keeps them.
Without this wrapper any update would make the next DescribeUserPool report an impossible change of
sign-in attributes.

AdminDeleteSoftwareToken (AWS, August 2026) is not in moto 5.2.5. It is added as AWS documents it: the
user's TOTP registration and any TOTP preference are removed, so with MFA required the next sign-in
answers MFA_SETUP.

Client secrets (AddUserPoolClientSecret, ListUserPoolClientSecrets, DeleteUserPoolClientSecret; AWS, 2026) are not
in moto 5.2.5 either. They are added as botocore 1.44.18's model documents them: at most two secrets per confidential
client; a generated value is returned once, a custom one (24-64 characters of [\w+]) never; List returns IDs
(`<client-id>--<epoch-create-time>`) and creation dates, never values; the last secret cannot be deleted;
DescribeUserPoolClient keeps showing the original secret until it is deleted, then none. The fidelity layer checks a
SECRET_HASH against every live secret (fidelity.py, `secret-hash`).

The fidelity layer (fidelity.py, written beside this file) makes moto answer and refuse as AWS does where moto
is lenient; crates/testkit/FIDELITY.md lists its rules. Importing it installs them.
"""

import re
import secrets
import sys
import time

from moto.cognitoidp.exceptions import InvalidParameterException, ResourceNotFoundError
from moto.cognitoidp.models import CognitoIdpBackend, CognitoIdpUserPoolClient
from moto.cognitoidp.responses import CognitoIdpResponse
from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult, EmptyResult
from moto.server import main

CREATE_ONLY = ("UsernameAttributes", "AliasAttributes", "UsernameConfiguration")
_update_user_pool = CognitoIdpBackend.update_user_pool


def update_user_pool(self, user_pool_id, extended_config):
    pool = self.describe_user_pool(user_pool_id)
    kept = {key: pool.extended_config[key] for key in CREATE_ONLY if key in pool.extended_config}
    _update_user_pool(self, user_pool_id, extended_config)
    pool.extended_config.update(kept)


CognitoIdpBackend.update_user_pool = update_user_pool


def admin_delete_software_token(self, user_pool_id, username):
    user = self.admin_get_user(user_pool_id, username)
    user.token_verified = False
    user.software_token_mfa_enabled = False
    if user.preferred_mfa_setting == "SOFTWARE_TOKEN_MFA":
        user.preferred_mfa_setting = ""


def admin_delete_software_token_response(self):
    self.backend.admin_delete_software_token(self._get_param("UserPoolId"), self._get_param("Username"))
    return EmptyResult()


CognitoIdpBackend.admin_delete_software_token = admin_delete_software_token
CognitoIdpResponse.admin_delete_software_token = admin_delete_software_token_response

# ------------------------------------------------------------------------------------------------- client secrets

MAX_CLIENT_SECRETS = 2
CUSTOM_SECRET = re.compile(r"[\w+]{24,64}")
GENERATED_SECRET_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
GENERATED_SECRET_LENGTH = 51  # the length of the secrets CreateUserPoolClient generates


class ClientSecret:
    def __init__(self, client_id, value, created):
        # Milliseconds, so that two secrets made in one second get two IDs (AWS's unit is not documented).
        self.id = f"{client_id}--{int(created * 1000)}"
        self.value = value
        self.created = created

    def descriptor(self, with_value=False):
        descriptor = {"ClientSecretId": self.id, "ClientSecretCreateDate": self.created}
        if with_value:
            descriptor["ClientSecretValue"] = self.value
        return descriptor


_client_init = CognitoIdpUserPoolClient.__init__
_client_to_json = CognitoIdpUserPoolClient.to_json


def client_init(self, user_pool_id, generate_secret, extended_config):
    _client_init(self, user_pool_id, generate_secret, extended_config)
    # The original secret, which DescribeUserPoolClient shows for as long as it exists.
    self.original_secret = ClientSecret(self.id, self.secret, time.time()) if self.generate_secret else None
    self.client_secrets = [self.original_secret] if self.original_secret else []


def client_to_json(self, extended=False):
    answer = _client_to_json(self, extended)
    if self.original_secret not in self.client_secrets:
        answer.pop("ClientSecret", None)
    return answer


CognitoIdpUserPoolClient.__init__ = client_init
CognitoIdpUserPoolClient.to_json = client_to_json


def _client(response):
    pool = response.backend.describe_user_pool(response._get_param("UserPoolId"))
    client_id = response._get_param("ClientId")
    if client_id not in pool.clients:
        raise ResourceNotFoundError(client_id)
    return pool.clients[client_id]


def add_user_pool_client_secret(self):
    client = _client(self)
    if not client.generate_secret:
        raise InvalidParameterException(f"Client {client.id} is not a confidential client")
    custom = self._get_param("ClientSecret")
    if custom is not None and not CUSTOM_SECRET.fullmatch(custom):
        # Model validation (ClientSecretType: 24-64 characters of [\w+]); a sensitive value is not echoed.
        raise InvalidParameterException(
            "1 validation error detected: Value at 'clientSecret' failed to satisfy constraint: Member must have "
            "length between 24 and 64 and satisfy regular expression pattern: [\\w+]+"
        )
    if len(client.client_secrets) >= MAX_CLIENT_SECRETS:
        raise JsonRESTError(
            "LimitExceededException", f"Client {client.id} already has {MAX_CLIENT_SECRETS} client secrets"
        )
    value = custom or "".join(secrets.choice(GENERATED_SECRET_ALPHABET) for _ in range(GENERATED_SECRET_LENGTH))
    secret = ClientSecret(client.id, value, time.time())
    client.client_secrets.append(secret)
    return ActionResult({"ClientSecretDescriptor": secret.descriptor(with_value=custom is None)})


def list_user_pool_client_secrets(self):
    client = _client(self)
    return ActionResult({"ClientSecrets": [secret.descriptor() for secret in client.client_secrets]})


def delete_user_pool_client_secret(self):
    client = _client(self)
    secret_id = self._get_param("ClientSecretId")
    remaining = [secret for secret in client.client_secrets if secret.id != secret_id]
    if len(remaining) == len(client.client_secrets):
        raise ResourceNotFoundError(f"Client secret {secret_id} does not exist")
    if not remaining:
        # The error AWS answers is not documented (only that the last secret cannot be deleted).
        raise InvalidParameterException(f"Client secret {secret_id} is the client's last secret")
    client.client_secrets = remaining
    return EmptyResult()


CognitoIdpResponse.add_user_pool_client_secret = add_user_pool_client_secret
CognitoIdpResponse.list_user_pool_client_secrets = list_user_pool_client_secrets
CognitoIdpResponse.delete_user_pool_client_secret = delete_user_pool_client_secret

import fidelity  # noqa: E402,F401  (installs the fidelity rules on CognitoIdpResponse)

if __name__ == "__main__":
    main(sys.argv[1:])
