#!/bin/bash
# The .deb's postinst (electron-builder.yml deb.afterInstall). The first part is electron-builder 26's
# own after-install template (app-builder-lib/templates/linux/after-install.tpl: the /usr/bin link, the
# Chromium sandbox, the AppArmor profile Ubuntu 24.04 needs), kept as it is; netmon's part is at the end.

if type update-alternatives >/dev/null 2>&1; then
    # Remove previous link if it doesn't use update-alternatives
    if [ -L '/usr/bin/${executable}' -a -e '/usr/bin/${executable}' -a "`readlink '/usr/bin/${executable}'`" != '/etc/alternatives/${executable}' ]; then
        rm -f '/usr/bin/${executable}'
    fi
    update-alternatives --install '/usr/bin/${executable}' '${executable}' '/opt/${sanitizedProductName}/${executable}' 100 || ln -sf '/opt/${sanitizedProductName}/${executable}' '/usr/bin/${executable}'
else
    ln -sf '/opt/${sanitizedProductName}/${executable}' '/usr/bin/${executable}'
fi

# Check if user namespaces are supported by the kernel and working with a quick test:
if ! { [[ -L /proc/self/ns/user ]] && unshare --user true; }; then
    # Use SUID chrome-sandbox only on systems without user namespaces:
    chmod 4755 '/opt/${sanitizedProductName}/chrome-sandbox' || true
else
    chmod 0755 '/opt/${sanitizedProductName}/chrome-sandbox' || true
fi

if hash update-mime-database 2>/dev/null; then
    update-mime-database /usr/share/mime || true
fi

if hash update-desktop-database 2>/dev/null; then
    update-desktop-database /usr/share/applications || true
fi

# Install apparmor profile. (Ubuntu 24+)
# First check if the version of AppArmor running on the device supports our profile.
# This is in order to keep backwards compatibility with Ubuntu 22.04 which does not support abi/4.0.
# In that case, we just skip installing the profile since the app runs fine without it on 22.04.
#
# Those apparmor_parser flags are akin to performing a dry run of loading a profile.
# https://wiki.debian.org/AppArmor/HowToUse#Dumping_profiles
#
# Unfortunately, at the moment AppArmor doesn't have a good story for backwards compatibility.
# https://askubuntu.com/questions/1517272/writing-a-backwards-compatible-apparmor-profile
if apparmor_status --enabled > /dev/null 2>&1; then
  APPARMOR_PROFILE_SOURCE='/opt/${sanitizedProductName}/resources/apparmor-profile'
  APPARMOR_PROFILE_TARGET='/etc/apparmor.d/${executable}'
  if apparmor_parser --skip-kernel-load --debug "$APPARMOR_PROFILE_SOURCE" > /dev/null 2>&1; then
    cp -f "$APPARMOR_PROFILE_SOURCE" "$APPARMOR_PROFILE_TARGET"

    # Updating the current AppArmor profile is not possible and probably not meaningful in a chroot'ed environment.
    # Use cases are for example environments where images for clients are maintained.
    # There, AppArmor might correctly be installed, but live updating makes no sense.
    if ! { [ -x '/usr/bin/ischroot' ] && /usr/bin/ischroot; } && hash apparmor_parser 2>/dev/null; then
      # Extra flags taken from dh_apparmor:
      # > By using '-W -T' we ensure that any abstraction updates are also pulled in.
      # https://wiki.debian.org/AppArmor/Contribute/FirstTimeProfileImport
      apparmor_parser --replace --write-cache --skip-read-cache "$APPARMOR_PROFILE_TARGET"
    fi
  else
    echo "Skipping the installation of the AppArmor profile as this version of AppArmor does not seem to support the bundled profile"
  fi
fi

# ---- netmon: the privileged eBPF helper --------------------------------------------------------------
# A file's capabilities do not survive an install or an upgrade (dpkg writes a new file), so they are
# granted here, each time, and said. The grant is the one the README describes: only members of the
# group `netmon` may run the helper, and nobody is added to it here: whoever is added sees every
# process's traffic on this machine and the names it went to.
HELPER='/opt/${sanitizedProductName}/resources/app.asar.unpacked/dist/helper/netmon-capture'
if [ -f "$HELPER" ]; then
  if command -v setcap >/dev/null 2>&1 && groupadd -f netmon && chgrp netmon "$HELPER" && chmod 0750 "$HELPER" \
      && setcap cap_bpf,cap_net_admin,cap_perfmon+ep "$HELPER"; then
    echo "netmon: granted cap_bpf, cap_net_admin and cap_perfmon to $HELPER (the eBPF helper that counts every"
    echo "netmon: TCP and UDP byte per process and names the sites it went to); only the group 'netmon' may run it."
    echo "netmon: to use it: sudo usermod -aG netmon \"\$USER\" and log in again. Without it netmon uses the unprivileged sampler."
  else
    echo "netmon: the eBPF helper was not granted its capabilities (setcap from libcap2-bin missing, or a kernel"
    echo "netmon: without cap_bpf); netmon uses the unprivileged sampler (the dashboard's status line says which one runs)."
  fi
fi
