"""What isolation this host supports: probed once at startup, reported by `bastion sandbox doctor`.

`Host.probe(policy)` checks each mechanism the contain pipeline uses and records, for each one that
is missing, what is wrong and how to fix it (`policy.Missing`). The policy then decides whether a
missing piece is fatal (`Policy.enforce`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from bastion.protocol.errors import SandboxUnavailable
from bastion.sandbox.contain.cgroup import Cgroups, detect
from bastion.sandbox.policy import Missing, Policy


@dataclass(slots=True)
class Host:
    bwrap_version: str | None = None
    userns: bool = False
    seccomp: bool = False
    cgroups: Cgroups | None = None
    switch_uid: bool = False  # we are root and start bwrap as the policy's box uid
    missing: list[Missing] = field(default_factory=list)
    kernel: str = ""

    @property
    def full_isolation(self) -> bool:
        return not self.missing

    @classmethod
    def probe(cls, policy: Policy) -> Host:
        host = cls(kernel=os.uname().release)
        host._probe_bwrap(policy)
        host._probe_userns()
        host._probe_seccomp()
        host._probe_identity(policy)
        host.cgroups, problems = detect(policy.cgroup_prefix)
        host.missing += problems
        return host

    def _probe_bwrap(self, policy: Policy) -> None:
        path = shutil.which(policy.bwrap)
        if path is None:
            self.missing.append(
                Missing("bwrap", f"{policy.bwrap} not found", "apt-get install bubblewrap")
            )
            return
        out = subprocess.run(  # noqa: S603
            [path, "--version"], capture_output=True, text=True, check=False
        ).stdout
        self.bwrap_version = out.strip().removeprefix("bubblewrap ").strip() or "unknown"
        if os.stat(path).st_mode & 0o4000:
            self.missing.append(
                Missing(
                    "bwrap",
                    f"{path} is setuid root (tmpfs sizes and nested-userns control need the "
                    "user-namespace mode)",
                    f"chmod u-s {path}",
                )
            )
        version = tuple(int(x) for x in self.bwrap_version.split(".")[:2] if x.isdigit())
        if version and version < (0, 8):
            self.missing.append(
                Missing(
                    "bwrap",
                    f"bubblewrap {self.bwrap_version} lacks --disable-userns",
                    "install bubblewrap >= 0.8",
                )
            )

    def _probe_userns(self) -> None:
        try:
            limit = int(Path("/proc/sys/user/max_user_namespaces").read_text())
        except (OSError, ValueError):
            limit = 0
        gate = Path("/proc/sys/kernel/unprivileged_userns_clone")
        gated = gate.exists() and gate.read_text().strip() == "0"
        self.userns = limit > 0 and not gated
        if not self.userns:
            self.missing.append(
                Missing(
                    "userns",
                    "unprivileged user namespaces are disabled",
                    "sysctl -w user.max_user_namespaces=10000 kernel.unprivileged_userns_clone=1",
                )
            )

    def _probe_seccomp(self) -> None:
        actions = Path("/proc/sys/kernel/seccomp/actions_avail")
        if not actions.exists() or "errno" not in actions.read_text():
            self.missing.append(
                Missing("seccomp", "the kernel has no seccomp filter support", "CONFIG_SECCOMP")
            )
            return
        try:
            import pyseccomp  # noqa: F401
        except (ImportError, OSError) as exc:
            self.missing.append(
                Missing(
                    "seccomp", f"libseccomp cannot be loaded ({exc})", "apt-get install libseccomp2"
                )
            )
            return
        self.seccomp = True

    def _probe_identity(self, policy: Policy) -> None:
        if os.geteuid() == 0:
            self.switch_uid = True
            for what, ident in (("uid", policy.box_uid), ("gid", policy.box_gid)):
                if ident == 0:
                    self.missing.append(
                        Missing(
                            "unprivileged", f"box_{what} is 0", f"set box_{what} to an unused id"
                        )
                    )


def require(policy: Policy) -> Host:
    """Probe and enforce in one step (raises `SandboxUnavailable`)."""
    host = Host.probe(policy)
    policy.enforce(host.missing)
    return host


__all__ = ["Host", "SandboxUnavailable", "require"]
