"""A BMC simulator for Python tests: OpenIPMI's ipmi_sim via start.sh.

    from ipmisim import BMCSim, available
    if not available():
        skip("apt-get install openipmi ipmitool")
    bmc = BMCSim(tmpdir, on_command="curl -fsS -X POST -d '{\"host\": \"h2\"}' "
                 "http://127.0.0.1:%d/power-on" % control_port)
    bmc.start(power="on")
    ... inventory: ipmi_address = 127.0.0.1, ipmi_port = bmc.port,
        ipmi_user = bmc.user, ipmi_password_file = bmc.password_file
    ... run poolboot with POOLBOOT_IPMI_CIPHER=3 in its environment
    bmc.events()     # ["boot pxe ...", "power-off ...", "power-on ... boot=pxe"]
    bmc.bootdev()    # "pxe"
    bmc.stop()

See README.md beside this file for what ipmi_sim is configured to do.
"""
import os
import shutil
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))


def available():
    """True when ipmi_sim and ipmitool are installed."""
    return bool(shutil.which("ipmi_sim") and shutil.which("ipmitool"))


class BMCSim:
    def __init__(self, state_dir, on_command=None, user="admin",
                 password="poolboot", addr="127.0.0.1"):
        self.dir = os.path.abspath(state_dir)
        self.on_command = on_command
        self.user = user
        self.password = password
        self.addr = addr
        self.port = None
        self.password_file = os.path.join(self.dir, "password")

    def start(self, power="off", port="auto"):
        """Starts ipmi_sim; returns when `chassis power status` answers."""
        os.makedirs(self.dir, exist_ok=True)
        cmd = ["sh", os.path.join(HERE, "start.sh"), self.dir,
               "--port", str(port), "--addr", self.addr, "--user", self.user,
               "--password", self.password, "--power", power]
        if self.on_command:
            cmd += ["--on-command", self.on_command]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        if out.returncode != 0:
            raise RuntimeError("ipmisim start.sh failed: " + out.stderr)
        for line in out.stdout.splitlines():
            if line.startswith("port="):
                self.port = int(line[5:])
        return self

    def stop(self):
        subprocess.run(["sh", os.path.join(HERE, "stop.sh"), self.dir],
                       timeout=30)

    def _read(self, name):
        try:
            with open(os.path.join(self.dir, name)) as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def events(self):
        """Lines of the chassis log: "boot DEV T", "power-on T boot=DEV",
        "power-off T", "reset T"."""
        return self._read("events").splitlines()

    def power_ons(self):
        return [e for e in self.events() if e.startswith("power-on ")]

    def power(self):
        return "on" if self._read("power").strip() == "1" else "off"

    def bootdev(self):
        return self._read("boot").strip()

    def ipmitool(self, *words):
        """Runs the real ipmitool against the simulator; returns stdout."""
        cmd = ["ipmitool", "-I", "lanplus", "-H", self.addr,
               "-p", str(self.port), "-U", self.user,
               "-f", self.password_file, "-C", "3"] + list(words)
        return subprocess.run(cmd, capture_output=True, text=True,
                              timeout=30).stdout
