"""The fidelity layer: moto answers and refuses Cognito calls as AWS does where moto 5.2.5 is lenient.

Every rule has a stable name; crates/testkit/FIDELITY.md lists each with what AWS does, what moto did and the
source. A request carrying the header `x-testkit-lenient: name1,name2` skips those rules (the recording proxy's
`RecordingProxy::lenient` adds it), so a test can try both answers where AWS's behaviour is undocumented. An
unknown name in that header is refused, so a typo cannot silently leave a rule on.

Rules only wrap moto's `CognitoIdpResponse` methods: a refusal is raised before moto's own method runs (nothing
changes), and an answer is reshaped after it (a deep copy: moto's stored configuration is never mutated here).
"""

import base64
import copy
import hashlib
import hmac

from moto.cognitoidp.exceptions import InvalidParameterException, NotAuthorizedError, UserNotFoundError
from moto.cognitoidp.responses import CognitoIdpResponse
from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult

LENIENT_HEADER = "x-testkit-lenient"

# Answers shaped as AWS's.
STANDARD_SCHEMA_RULE = "standard-schema"
LEGACY_VALIDITY_REPORTED = "legacy-validity-days-reported"
TIER_DEFAULT = "tier-default"
DELETION_PROTECTION_DEFAULT = "deletion-protection-default"
CLIENT_TYPE = "client-type"
DCR_KEPT_ON_UPDATE = "dcr-kept-on-update"
EMAIL_MFA_REPORTED = "email-mfa-reported"
# Requests refused as AWS refuses them.
LEGACY_VALIDITY = "legacy-validity-days"
PASSWORD_POLICY_RANGE = "password-policy-range"
CREATE_MFA_NEEDS_SMS = "create-mfa-needs-sms"
TIER_PASSWORD_HISTORY = "tier-password-history"
TIER_THREAT_PROTECTION = "tier-threat-protection"
TIER_ACCESS_TOKEN_CUSTOMIZATION = "tier-access-token-customization"
TIER_PASSWORDLESS = "tier-passwordless"
TIER_DCR = "tier-dcr"
TIER_EMAIL_MFA = "tier-email-mfa"
TIER_ACR_NAMES = "tier-acr-names"
CLIENT_AUTH_SESSION_VALIDITY = "client-auth-session-validity"
CLIENT_TOKEN_VALIDITY = "client-token-validity"
DELETION_PROTECTION = "deletion-protection"
SIGN_OUT_DISABLED_USER = "sign-out-disabled-user"
CREATE_USER_SCHEMA = "create-user-schema"
SECRET_HASH = "secret-hash"
USER_EXISTENCE_HIDDEN = "user-existence-hidden"

RULES = frozenset(
    (
        STANDARD_SCHEMA_RULE,
        LEGACY_VALIDITY_REPORTED,
        TIER_DEFAULT,
        DELETION_PROTECTION_DEFAULT,
        CLIENT_TYPE,
        DCR_KEPT_ON_UPDATE,
        EMAIL_MFA_REPORTED,
        LEGACY_VALIDITY,
        PASSWORD_POLICY_RANGE,
        CREATE_MFA_NEEDS_SMS,
        TIER_PASSWORD_HISTORY,
        TIER_THREAT_PROTECTION,
        TIER_ACCESS_TOKEN_CUSTOMIZATION,
        TIER_PASSWORDLESS,
        TIER_DCR,
        TIER_EMAIL_MFA,
        TIER_ACR_NAMES,
        CLIENT_AUTH_SESSION_VALIDITY,
        CLIENT_TOKEN_VALIDITY,
        DELETION_PROTECTION,
        SIGN_OUT_DISABLED_USER,
        CREATE_USER_SCHEMA,
        SECRET_HASH,
        USER_EXISTENCE_HIDDEN,
    )
)


def _string(minimum, maximum):
    return {"AttributeDataType": "String", "StringAttributeConstraints": {"MinLength": minimum, "MaxLength": maximum}}


_TEXT = _string("0", "2048")
_BOOLEAN = {"AttributeDataType": "Boolean"}

# The standard schema in the order and with the constraints of AWS's published answer (awscli 1.46.3,
# awscli/examples/cognito-idp/describe-user-pool.rst): every attribute optional and mutable except `sub`.
STANDARD_SCHEMA = [
    ("sub", {**_string("1", "2048"), "Mutable": False, "Required": True}),
    ("name", _TEXT),
    ("given_name", _TEXT),
    ("family_name", _TEXT),
    ("middle_name", _TEXT),
    ("nickname", _TEXT),
    ("preferred_username", _TEXT),
    ("profile", _TEXT),
    ("picture", _TEXT),
    ("website", _TEXT),
    ("email", _TEXT),
    ("email_verified", _BOOLEAN),
    ("gender", _TEXT),
    ("birthdate", _string("10", "10")),
    ("zoneinfo", _TEXT),
    ("locale", _TEXT),
    ("phone_number", _TEXT),
    ("phone_number_verified", _BOOLEAN),
    ("address", _TEXT),
    ("updated_at", {"AttributeDataType": "Number", "NumberAttributeConstraints": {"MinValue": "0"}}),
    ("identities", {"AttributeDataType": "String", "StringAttributeConstraints": {}}),
]
STANDARD_NAMES = {name for name, _ in STANDARD_SCHEMA}

DEFAULT_TEMPORARY_PASSWORD_DAYS = 7
TIERS_WITH_THREAT_PROTECTION = ("PLUS",)
SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
# Token validity ranges in seconds (botocore's TokenValidityUnitsType), with the default unit of each.
TOKEN_VALIDITY = {
    "AccessTokenValidity": ("AccessToken", "hours", 5 * 60, 86400),
    "IdTokenValidity": ("IdToken", "hours", 5 * 60, 86400),
    "RefreshTokenValidity": ("RefreshToken", "days", 60 * 60, 10 * 365 * 86400),
}


def _lenient(response):
    raw = response.headers.get(LENIENT_HEADER) or ""
    names = {name.strip() for name in raw.split(",") if name.strip()}
    unknown = sorted(names - RULES)
    if unknown:
        raise JsonRESTError(
            "InvalidParameterException",
            f"testkit: unknown fidelity rule(s) in {LENIENT_HEADER}: {', '.join(unknown)}",
        )
    return names


def _strict(response, rule):
    return rule not in _lenient(response)


def _wraps(operation):
    """Replaces `CognitoIdpResponse.<operation>` by the decorated function, which gets moto's method too."""

    def decorator(function):
        original = getattr(CognitoIdpResponse, operation)

        def method(self):
            _lenient(self)  # refuses an unknown rule name before anything else
            return function(self, original)

        method.__name__ = operation
        setattr(CognitoIdpResponse, operation, method)
        return function

    return decorator


class FeatureUnavailableInTier(JsonRESTError):
    def __init__(self, tier, features):
        super().__init__(
            "FeatureUnavailableInTierException",
            f"The following features need to be disabled for the {tier} pricing tier configured: {', '.join(features)}",
        )


def _validation_errors(violations):
    """AWS's model-constraint refusal: `1 validation error detected: Value '5' at 'a.b' failed to satisfy …`."""
    count = len(violations)
    noun = "validation error" if count == 1 else "validation errors"
    return InvalidParameterException(f"{count} {noun} detected: " + "; ".join(violations))


def _range_violation(value, path, minimum, maximum):
    if value is None:
        return None
    if value < minimum:
        return (
            f"Value '{value}' at '{path}' failed to satisfy constraint: "
            f"Member must have value greater than or equal to {minimum}"
        )
    if value > maximum:
        return (
            f"Value '{value}' at '{path}' failed to satisfy constraint: "
            f"Member must have value less than or equal to {maximum}"
        )
    return None


def _password_policy(config):
    return ((config or {}).get("Policies") or {}).get("PasswordPolicy") or {}


def _tier(config):
    return (config or {}).get("UserPoolTier") or "ESSENTIALS"


# ---------------------------------------------------------------------------------------------- user pools


def _check_password_policy_range(response, params):
    if not _strict(response, PASSWORD_POLICY_RANGE):
        return
    policy = _password_policy(params)
    prefix = "policies.passwordPolicy"
    violations = [
        _range_violation(policy.get("MinimumLength"), f"{prefix}.minimumLength", 6, 99),
        _range_violation(policy.get("TemporaryPasswordValidityDays"), f"{prefix}.temporaryPasswordValidityDays", 0, 365),
        _range_violation(policy.get("PasswordHistorySize"), f"{prefix}.passwordHistorySize", 0, 24),
    ]
    violations = [violation for violation in violations if violation]
    if violations:
        raise _validation_errors(violations)


def _check_legacy_validity(response, params, pool=None):
    legacy = (params.get("AdminCreateUserConfig") or {}).get("UnusedAccountValidityDays")
    if not legacy:
        return
    temporary_set = "TemporaryPasswordValidityDays" in _password_policy(params) or (
        pool is not None and "TemporaryPasswordValidityDays" in _password_policy(pool.extended_config)
    )
    if temporary_set and _strict(response, LEGACY_VALIDITY):
        raise InvalidParameterException(
            "Please use TemporaryPasswordValidityDays in PasswordPolicy instead of UnusedAccountValidityDays"
        )


def _check_create_mfa(response, params):
    if params.get("MfaConfiguration") in ("ON", "OPTIONAL") and not params.get("SmsConfiguration"):
        if _strict(response, CREATE_MFA_NEEDS_SMS):
            raise InvalidParameterException(
                "SMS configuration and Auto verification for phone_number are required when MFA is required/optional"
            )


def _check_tier(response, params, pool=None):
    """The features the resulting feature plan lacks: refused with FeatureUnavailableInTierException."""
    tier = _tier(params)
    features = []

    def lacks(rule, feature):
        if _strict(response, rule):
            features.append(feature)

    if tier == "LITE" and (_password_policy(params).get("PasswordHistorySize") or 0) > 0:
        lacks(TIER_PASSWORD_HISTORY, "Password History")
    add_ons = params.get("UserPoolAddOns") or {}
    if tier not in TIERS_WITH_THREAT_PROTECTION and add_ons.get("AdvancedSecurityMode") in ("AUDIT", "ENFORCED"):
        lacks(TIER_THREAT_PROTECTION, "Threat Protection")
    pre_token = (params.get("LambdaConfig") or {}).get("PreTokenGenerationConfig") or {}
    if tier == "LITE" and pre_token.get("LambdaVersion") in ("V2_0", "V3_0"):
        lacks(TIER_ACCESS_TOKEN_CUSTOMIZATION, "Access Token Customization")
    factors = ((params.get("Policies") or {}).get("SignInPolicy") or {}).get("AllowedFirstAuthFactors") or []
    if tier == "LITE" and any(factor != "PASSWORD" for factor in factors):
        lacks(TIER_PASSWORDLESS, "Passwordless Sign-In")
    if "DcrConfiguration" in params:
        dcr = params["DcrConfiguration"]
    else:
        dcr = pool.extended_config.get("DcrConfiguration") if pool is not None else None
    # botocore's StatusType spells it `Disabled`; any case is taken as AWS's.
    if tier == "LITE" and dcr is not None and str((dcr or {}).get("EnableStatus", "Enabled")).upper() != "DISABLED":
        lacks(TIER_DCR, "Dynamic Client Registration")
    if tier == "LITE" and pool is not None and getattr(pool, "testkit_email_mfa", None) is not None:
        lacks(TIER_EMAIL_MFA, "Email MFA")
    if tier == "LITE" and params.get("AcrConfiguration"):
        lacks(TIER_ACR_NAMES, "Custom ACR Level Names")
    if features:
        raise FeatureUnavailableInTier(tier, features)


def _temporary_password_days(config):
    """What AWS reports: the temporary password's validity, 0 meaning the default, else the legacy value."""
    temporary = _password_policy(config).get("TemporaryPasswordValidityDays")
    if temporary:
        return temporary
    legacy = (config.get("AdminCreateUserConfig") or {}).get("UnusedAccountValidityDays")
    return legacy or DEFAULT_TEMPORARY_PASSWORD_DAYS


def _shape_schema(attributes):
    declared = {attribute["Name"]: attribute for attribute in attributes}
    schema = []
    for name, standard in STANDARD_SCHEMA:
        attribute = {"Name": name, "DeveloperOnlyAttribute": False, "Mutable": True, "Required": False, **standard}
        own = declared.get(name)
        if own is not None and name != "sub":
            for flag in ("Mutable", "Required"):
                if own.get(flag) is not None:
                    attribute[flag] = own[flag]
            if own.get("StringAttributeConstraints") and "StringAttributeConstraints" in standard:
                attribute["StringAttributeConstraints"] = own["StringAttributeConstraints"]
            if own.get("NumberAttributeConstraints") and "NumberAttributeConstraints" in standard:
                attribute["NumberAttributeConstraints"] = own["NumberAttributeConstraints"]
        schema.append(attribute)
    schema.extend(attribute for attribute in attributes if attribute["Name"] not in STANDARD_NAMES)
    return schema


def _shape_pool(response, pool):
    pool = copy.deepcopy(pool)
    if _strict(response, STANDARD_SCHEMA_RULE) and "SchemaAttributes" in pool:
        pool["SchemaAttributes"] = _shape_schema(pool["SchemaAttributes"])
    if _strict(response, LEGACY_VALIDITY_REPORTED):
        days = _temporary_password_days(pool)
        policies = pool.setdefault("Policies", {})
        policies.setdefault("PasswordPolicy", {})["TemporaryPasswordValidityDays"] = days
        pool.setdefault("AdminCreateUserConfig", {})["UnusedAccountValidityDays"] = days
    if _strict(response, TIER_DEFAULT) and not pool.get("UserPoolTier"):
        pool["UserPoolTier"] = "ESSENTIALS"
    if _strict(response, DELETION_PROTECTION_DEFAULT) and not pool.get("DeletionProtection"):
        pool["DeletionProtection"] = "INACTIVE"
    return pool


@_wraps("create_user_pool")
def create_user_pool(self, original):
    params = self.parameters
    _check_password_policy_range(self, params)
    _check_legacy_validity(self, params)
    _check_create_mfa(self, params)
    _check_tier(self, params)
    answer = original(self).result
    return ActionResult({**answer, "UserPool": _shape_pool(self, answer["UserPool"])})


@_wraps("describe_user_pool")
def describe_user_pool(self, original):
    answer = original(self).result
    return ActionResult({**answer, "UserPool": _shape_pool(self, answer["UserPool"])})


@_wraps("update_user_pool")
def update_user_pool(self, original):
    params = self.parameters
    pool = self.backend.describe_user_pool(self._get_param("UserPoolId"))
    _check_password_policy_range(self, params)
    _check_legacy_validity(self, params, pool)
    _check_tier(self, params, pool)
    kept_dcr = pool.extended_config.get("DcrConfiguration")
    answer = original(self)
    if "DcrConfiguration" not in params and kept_dcr is not None and _strict(self, DCR_KEPT_ON_UPDATE):
        pool.extended_config["DcrConfiguration"] = kept_dcr
    return answer


@_wraps("delete_user_pool")
def delete_user_pool(self, original):
    pool = self.backend.describe_user_pool(self._get_param("UserPoolId"))
    if pool.extended_config.get("DeletionProtection") == "ACTIVE" and _strict(self, DELETION_PROTECTION):
        raise InvalidParameterException(
            "The user pool cannot be deleted because deletion protection is activated. "
            "Deletion protection must be inactivated first."
        )
    return original(self)


def _with_email_mfa(response, pool, answer):
    email = getattr(pool, "testkit_email_mfa", None)
    # An empty configuration ({}: Cognito's own message and subject) turns email MFA on all the same.
    if email is not None and _strict(response, EMAIL_MFA_REPORTED):
        return ActionResult({**answer, "EmailMfaConfiguration": copy.deepcopy(email)})
    return ActionResult(answer)


@_wraps("set_user_pool_mfa_config")
def set_user_pool_mfa_config(self, original):
    pool = self.backend.describe_user_pool(self._get_param("UserPoolId"))
    email = self._get_param("EmailMfaConfiguration")
    email_on = email is not None and self._get_param("MfaConfiguration") in ("ON", "OPTIONAL")
    tier = _tier(pool.extended_config)
    if email_on and tier == "LITE" and _strict(self, TIER_EMAIL_MFA):
        raise FeatureUnavailableInTier(tier, ["Email MFA"])
    answer = original(self).result
    # moto ignores EmailMfaConfiguration; the pool keeps it here, for GetUserPoolMfaConfig and the tier rules.
    pool.testkit_email_mfa = copy.deepcopy(email) if email_on else None
    return _with_email_mfa(self, pool, answer)


@_wraps("get_user_pool_mfa_config")
def get_user_pool_mfa_config(self, original):
    pool = self.backend.describe_user_pool(self._get_param("UserPoolId"))
    return _with_email_mfa(self, pool, original(self).result)


# -------------------------------------------------------------------------------------------- app clients


def _check_client(response, params):
    if _strict(response, CLIENT_AUTH_SESSION_VALIDITY):
        violation = _range_violation(params.get("AuthSessionValidity"), "authSessionValidity", 3, 15)
        if violation:
            raise _validation_errors([violation])
    if not _strict(response, CLIENT_TOKEN_VALIDITY):
        return
    units = params.get("TokenValidityUnits") or {}
    for member, (unit_member, default_unit, minimum, maximum) in TOKEN_VALIDITY.items():
        value = params.get(member)
        if value is None or (member == "RefreshTokenValidity" and value == 0):
            # AWS replaces a refresh token validity of 0 by its default (botocore's RefreshTokenValidity).
            continue
        seconds = value * SECONDS.get(units.get(unit_member) or default_unit, 1)
        if not minimum <= seconds <= maximum:
            raise InvalidParameterException("Invalid range for token validity")


def _shape_client(response, answer):
    client = copy.deepcopy(answer["UserPoolClient"])
    if _strict(response, CLIENT_TYPE):
        client.setdefault("ClientType", "REGULAR")
    return ActionResult({**answer, "UserPoolClient": client})


@_wraps("create_user_pool_client")
def create_user_pool_client(self, original):
    _check_client(self, self.parameters)
    return _shape_client(self, original(self).result)


@_wraps("update_user_pool_client")
def update_user_pool_client(self, original):
    _check_client(self, self.parameters)
    return _shape_client(self, original(self).result)


@_wraps("describe_user_pool_client")
def describe_user_pool_client(self, original):
    return _shape_client(self, original(self).result)


# ------------------------------------------------------------------------------------------------- users


@_wraps("admin_create_user")
def admin_create_user(self, original):
    pool = self.backend.describe_user_pool(self._get_param("UserPoolId"))
    names = [attribute["Name"] for attribute in self._get_param("UserAttributes") or []]
    # Every pool has the whole standard schema (see `standard-schema`); moto keeps only what it was created with.
    unknown = [name for name in names if name not in STANDARD_NAMES and name not in pool.schema_attributes]
    if unknown and _strict(self, CREATE_USER_SCHEMA):
        raise InvalidParameterException(
            "Attributes did not conform to the schema: "
            + "".join(f"{name}: Attribute does not exist in the schema.\n" for name in unknown)
        )
    return original(self)


@_wraps("admin_user_global_sign_out")
def admin_user_global_sign_out(self, original):
    user = self.backend.admin_get_user(self._get_param("UserPoolId"), self._get_param("Username"))
    if not user.enabled and _strict(self, SIGN_OUT_DISABLED_USER):
        raise NotAuthorizedError("User is disabled.")
    return original(self)


# ------------------------------------------------------------------------------------------------- sign-in


def _secret_hash(secret, username, client_id):
    digest = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _client_of(backend, client_id):
    for pool in backend.user_pools.values():
        if client_id in pool.clients:
            return pool, pool.clients[client_id]
    return None, None


@_wraps("initiate_auth")
def initiate_auth(self, original):
    client_id = self._get_param("ClientId")
    parameters = self._get_param("AuthParameters") or {}
    username = parameters.get("USERNAME", "")
    pool, client = _client_of(self.backend, client_id)
    if client is None or not getattr(client, "client_secrets", None) or not _strict(self, SECRET_HASH):
        return original(self)
    given = parameters.get("SECRET_HASH")
    if given is None:
        raise NotAuthorizedError(f"Client {client_id} is configured with secret but SECRET_HASH was not received")
    matching = [s for s in client.client_secrets if hmac.compare_digest(_secret_hash(s.value, username, client_id), given)]
    if not matching:
        raise NotAuthorizedError(f"Unable to verify secret hash for client {client_id}")
    if (
        _strict(self, USER_EXISTENCE_HIDDEN)
        and client.extended_config.get("PreventUserExistenceErrors") == "ENABLED"
        and self._get_param("AuthFlow") == "USER_PASSWORD_AUTH"
    ):
        try:
            self.backend.admin_get_user(pool.id, username)
        except UserNotFoundError:
            raise NotAuthorizedError("Incorrect username or password.")
    # moto checks some flows' SECRET_HASH against the original secret only: let it see the one that matched.
    original_secret = client.secret
    client.secret = matching[0].value
    try:
        return original(self)
    finally:
        client.secret = original_secret
