"""Start moto's server with one fix for a moto bug that has no AWS counterpart.

moto's UpdateUserPool replaces the pool's whole configuration, which also drops UsernameAttributes,
AliasAttributes and UsernameConfiguration. Those are not UpdateUserPool parameters: AWS keeps them.
Without this wrapper any update would make the next DescribeUserPool report an impossible change of
sign-in attributes. Nothing else of moto is patched.
"""

import sys

from moto.cognitoidp.models import CognitoIdpBackend
from moto.server import main

CREATE_ONLY = ("UsernameAttributes", "AliasAttributes", "UsernameConfiguration")
_update_user_pool = CognitoIdpBackend.update_user_pool


def update_user_pool(self, user_pool_id, extended_config):
    pool = self.describe_user_pool(user_pool_id)
    kept = {key: pool.extended_config[key] for key in CREATE_ONLY if key in pool.extended_config}
    _update_user_pool(self, user_pool_id, extended_config)
    pool.extended_config.update(kept)


CognitoIdpBackend.update_user_pool = update_user_pool

if __name__ == "__main__":
    main(sys.argv[1:])
