"""Start moto's server with one fix for a moto bug that has no AWS counterpart, and one AWS call moto lacks.

moto's UpdateUserPool replaces the pool's whole configuration, which also drops UsernameAttributes,
AliasAttributes and UsernameConfiguration. Those are not UpdateUserPool parameters: AWS keeps them.
Without this wrapper any update would make the next DescribeUserPool report an impossible change of
sign-in attributes.

AdminDeleteSoftwareToken (AWS, August 2026) is not in moto 5.2.5. It is added as AWS documents it: the
user's TOTP registration and any TOTP preference are removed, so with MFA required the next sign-in
answers MFA_SETUP.

The fidelity layer (fidelity.py, written beside this file) makes moto answer and refuse as AWS does where moto
is lenient; crates/testkit/FIDELITY.md lists its rules. Importing it installs them.
"""

import sys

from moto.cognitoidp.models import CognitoIdpBackend
from moto.cognitoidp.responses import CognitoIdpResponse
from moto.core.responses import EmptyResult
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

import fidelity  # noqa: E402,F401  (installs the fidelity rules on CognitoIdpResponse)

if __name__ == "__main__":
    main(sys.argv[1:])
