"""Accounts: passwords, device-bound tokens, logout, devices and throttling (`services`), and
the admins' reading, editing, deactivating and reactivating of users (`admin`)."""

from inspection.accounts.services import (
    LoginPolicy,
    Principal,
    authenticate,
    check_agency,
    create_user,
    create_user_as,
    list_devices,
    list_users,
    login,
    logout,
    revoke_device,
)

__all__ = ["LoginPolicy", "Principal", "authenticate", "check_agency", "create_user",
           "create_user_as", "list_devices", "list_users", "login", "logout", "revoke_device"]
