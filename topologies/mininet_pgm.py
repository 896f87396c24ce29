#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""PGM topologies in Mininet (hosts and links only; routers are hosts with
ip_forward, each forwarding multicast and optionally running pgmned).

    /usr/bin/python3 topologies/mininet_pgm.py --topo tree --receivers 8 \\
        --loss r1:r2:0.1 --ne all [--cli]

--topo      line (src - r1 - r2 - receivers), star (one router), tree
            (--depth levels of routers, --fanout children each), diamond
            (src - r1 - r2 - r4 and r1 - r3 - r4; multicast via r2, unicast
            towards the source via r3)
--loss      A:B:P[:TYPE], repeatable: node A drops fraction P of the PGM
            packets of TYPE (default odata) it sends to neighbour B
            (iptables statistic; netem does not work here)
--ne        routers running pgmned: all, none or r1,r3 (default all)
--cli       open the Mininet CLI instead of the scripted transfer
Without --cli: send --size random bytes from src to every receiver with
opgm_send/opgm_recv (or --sender/--receiver), check every copy (sha256),
print the counts; exit status 0 when every receiver got it intact.

Multicast forwarding as in the tests (tests/system/mfwd_pick.sh): smcroute
where the kernel has multicast routing, an nftables dup table where it has
not; PGMNE_MFWD=smcroute|dup forces one.

Needs root and Debian's mininet 2.3 (python3-mininet). Open vSwitch is not
used. Host names are fixed (src, r1.., rcv1..), so do not run two of these
at once; the namespace scripts (topologies/netns.sh) have unique names.
"""
import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time

from mininet.log import setLogLevel
from mininet.net import Mininet
from mininet.topo import Topo

HERE = os.path.dirname(os.path.abspath(__file__))
MFWD_PICK = os.path.join(HERE, "..", "tests", "system", "mfwd_pick.sh")
MFWD_CONF = os.path.join(HERE, "..", "tests", "tools", "mfwd_conf.sh")
GROUP = "239.192.0.1"
PORT = 7500
PGM_TYPES = {"spm": 0x00, "odata": 0x04, "rdata": 0x05, "nak": 0x08, "ncf": 0x0A}


class PgmTopo(Topo):
    """Builds the graph; records upstream/downstream neighbours and the
    address of each end of each link (a /24 per link from 10.200.0.0/16)."""

    def build(self, kind="line", receivers=2, depth=3, fanout=2):
        self.up, self.down, self.addr, self.routers, self.rcvs = {}, {}, {}, [], []
        self.uni_up = {}
        self.nlinks = 0
        self.addHost("src", ip=None)
        if kind in ("line", "star"):
            hops = 2 if kind == "line" else 1
            for i in range(1, hops + 1):
                self._router("r%d" % i)
                self._link("src" if i == 1 else "r%d" % (i - 1), "r%d" % i)
            leaves = ["r%d" % hops]
        elif kind == "tree":
            self._router("r1")
            self._link("src", "r1")
            level, k = ["r1"], 1
            for _ in range(depth - 1):
                nxt = []
                for r in level:
                    for _ in range(fanout):
                        k += 1
                        self._router("r%d" % k)
                        self._link(r, "r%d" % k)
                        nxt.append("r%d" % k)
                level = nxt
            leaves = level
        elif kind == "diamond":
            for r in ("r1", "r2", "r3", "r4"):
                self._router(r)
            self._link("src", "r1")
            self._link("r1", "r2")
            self._link("r1", "r3")
            self._link("r2", "r4")
            self._link("r3", "r4", tree=False)
            self.uni_up["r4"] = "r3"
            leaves = ["r4"]
        else:
            raise ValueError(kind)
        for i in range(1, receivers + 1):
            name = "rcv%d" % i
            self.addHost(name, ip=None)
            self.rcvs.append(name)
            self._link(leaves[(i - 1) % len(leaves)], name)

    def _router(self, name):
        self.addHost(name, ip=None)
        self.routers.append(name)

    def _link(self, a, b, tree=True):
        self.nlinks += 1
        net = "10.200.%d" % self.nlinks
        ia, ib = "%s-%s" % (a, b), "%s-%s" % (b, a)
        self.addLink(a, b, intfName1=ia[:15], intfName2=ib[:15])
        self.addr[(a, b)] = (ia[:15], net + ".1")
        self.addr[(b, a)] = (ib[:15], net + ".2")
        if tree:
            self.up[b] = a
            self.down.setdefault(a, []).append(b)


def sh(host, cmd):
    out = host.cmd(cmd)
    return out.strip()


def pick_forwarder():
    """The tests' choice of multicast forwarder: (name, why)."""
    out = subprocess.run([MFWD_PICK], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stdout.strip())
    name, _, why = out.stdout.strip().partition(" ")
    return name, why


def mroutes(topo, r):
    """Router r's routes as mfwd_conf.sh reads them: (src, group) from its
    upstream link to its downstream links."""
    if not topo.down.get(r):
        return ""
    return "%s %s %s %s\n" % (topo.addr[(r, topo.up[r])][0], topo.addr[("src", "r1")][1], GROUP,
                               " ".join(topo.addr[(r, c)][0] for c in topo.down[r]))


def start_forwarding(h, r, routes, tmp, mfwd):
    """smcrouted, or the dup table, in router h; the processes started."""
    conf = subprocess.run([MFWD_CONF, mfwd], input=routes, capture_output=True, text=True,
                          check=True).stdout
    path = os.path.join(tmp, "%s.%s" % (r, "conf" if mfwd == "smcroute" else "nft"))
    with open(path, "w") as f:
        f.write(conf)
    if mfwd == "dup":
        out = sh(h, "nft -f %s && echo loaded" % path)
        if not out.endswith("loaded"):
            raise RuntimeError("dup table in %s: %s" % (r, out))
        return []
    sock = os.path.join(tmp, r + ".smc")
    p = h.popen(["smcrouted", "-n", "-c", "3600", "-i", "mn-" + r, "-f", path, "-u", sock,
                 "-P", os.path.join(tmp, r + ".smcpid"), "-l", "err"])
    deadline = time.time() + 10
    while not os.path.exists(sock) and time.time() < deadline:
        time.sleep(0.1)
    return [p]


def configure(net, topo, tmp, binpath, ne_list, mfwd):
    """Addresses, routes, multicast forwarding and pgmned everywhere."""
    procs = []
    for (a, b), (ifname, ip) in topo.addr.items():
        h = net[a]
        sh(h, "ip addr flush dev %s; ip addr add %s/24 dev %s; ip link set %s up"
           % (ifname, ip, ifname, ifname))
        sh(h, "sysctl -qw net.ipv4.conf.%s.rp_filter=0" % ifname)
    for h in net.hosts:
        sh(h, "sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0")
    for name in topo.routers + topo.rcvs:
        up = topo.uni_up.get(name, topo.up[name])
        sh(net[name], "ip route add default via %s" % topo.addr[(up, name)][1])
    sh(net["src"], "ip route add default via %s" % topo.addr[("r1", "src")][1])
    for r in topo.routers:
        sh(net[r], "sysctl -qw net.ipv4.ip_forward=1")
        procs += start_forwarding(net[r], r, mroutes(topo, r), tmp, mfwd)
    for r in ne_list:
        procs.append(net[r].popen(
            [os.path.join(binpath, "pgmned"), "-d", "-q", "100", "-s",
             os.path.join(tmp, r + ".ctl")],
            stdout=open(os.path.join(tmp, r + ".pgmned.log"), "w"), stderr=subprocess.STDOUT))
    deadline = time.time() + 10
    for r in ne_list:
        sock = os.path.join(tmp, r + ".ctl")
        while not os.path.exists(sock) and time.time() < deadline:
            time.sleep(0.1)
        if not os.path.exists(sock):
            raise RuntimeError("pgmned in %s did not start" % r)
    return procs


def add_loss(net, topo, spec):
    parts = spec.split(":")
    a, b, p = parts[0], parts[1], float(parts[2])
    ty = PGM_TYPES[parts[3]] if len(parts) > 3 else PGM_TYPES["odata"]
    ifname = topo.addr[(a, b)][0]
    sh(net[a], "iptables -t mangle -A POSTROUTING -o %s -p 113 -m u32 --u32 "
       "'0>>22&0x3C@4>>24=0x%02x' -m statistic --mode random --probability %s -j DROP"
       % (ifname, ty, p))


def transfer(net, topo, tmp, binpath, args):
    data = os.urandom(args.size)
    src_file = os.path.join(tmp, "in.bin")
    with open(src_file, "wb") as f:
        f.write(data)
    digest = hashlib.sha256(data).hexdigest()
    recv = {}
    for r in topo.rcvs:
        ip = topo.addr[(r, topo.up[r])][1]
        recv[r] = net[r].popen([os.path.join(binpath, args.receiver), "-n", "%s;%s" % (ip, GROUP),
                                "-p", str(PORT), "-o", os.path.join(tmp, r + ".out"),
                                "-c", str(args.size), "-t", "90", "--stats"],
                               stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 10
    for r in topo.rcvs:
        while GROUP not in sh(net[r], "ip maddr show") and time.time() < deadline:
            time.sleep(0.1)
    t0 = time.time()
    sender = net["src"].popen([os.path.join(binpath, args.sender), "-n",
                               "%s;%s" % (topo.addr[("src", "r1")][1], GROUP), "-p", str(PORT),
                               "-r", "8000", src_file])
    ok = 0
    print("\n%-8s %10s %-9s %s" % ("receiver", "bytes", "identical", "stats"))
    for r in topo.rcvs:
        try:
            _, err = recv[r].communicate(timeout=100)
        except subprocess.TimeoutExpired:
            recv[r].kill()
            _, err = recv[r].communicate()
        path = os.path.join(tmp, r + ".out")
        got = open(path, "rb").read() if os.path.exists(path) else b""
        same = recv[r].returncode == 0 and hashlib.sha256(got).hexdigest() == digest
        ok += same
        stats = [line for line in err.splitlines() if "stats" in line]
        print("%-8s %10d %-9s %s" % (r, len(got), "yes" if same else "NO",
                                     stats[-1] if stats else err.strip()[-80:]))
    took = time.time() - t0
    sender.terminate()
    sender.wait(timeout=10)
    print("\n%d of %d receivers got %d identical bytes in %.1f s"
          % (ok, len(topo.rcvs), args.size, took))
    return ok == len(topo.rcvs)


def main():
    ap = argparse.ArgumentParser(description="PGM topologies in Mininet")
    ap.add_argument("--topo", choices=["line", "star", "tree", "diamond"], default="line")
    ap.add_argument("--receivers", type=int, default=None)
    ap.add_argument("--depth", type=int, default=3)
    ap.add_argument("--fanout", type=int, default=2)
    ap.add_argument("--loss", action="append", default=[])
    ap.add_argument("--ne", default="all")
    ap.add_argument("--size", type=int, default=262144)
    ap.add_argument("--bin", default=os.environ.get(
        "PGMNE_BIN", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bin")))
    ap.add_argument("--sender", default="opgm_send")
    ap.add_argument("--receiver", default="opgm_recv")
    ap.add_argument("--cli", action="store_true")
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("needs root", file=sys.stderr)
        return 77
    defaults = {"line": 1, "star": 4, "tree": 8, "diamond": 2}
    n = args.receivers or defaults[args.topo]
    setLogLevel("warning")
    topo = PgmTopo(kind=args.topo, receivers=n, depth=args.depth, fanout=args.fanout)
    if args.ne == "none":
        ne_list = []
    elif args.ne == "all":
        ne_list = list(topo.routers)
    else:
        ne_list = args.ne.split(",")
    tmp = tempfile.mkdtemp(prefix="pgmne-mn.")
    net = Mininet(topo=topo, controller=None, switch=None, build=True)
    procs = []
    ok = False
    try:
        net.start()
        mfwd, why = pick_forwarder()
        print("multicast forwarder: %s %s" % (mfwd, why))
        procs = configure(net, topo, tmp, args.bin, ne_list, mfwd)
        for spec in args.loss:
            add_loss(net, topo, spec)
        print("routers %s, receivers %s, pgmned on %s" % (
            " ".join(topo.routers), " ".join(topo.rcvs), ",".join(ne_list) or "none"))
        if args.cli:
            from mininet.cli import CLI
            print("control sockets: %s/<router>.ctl (pgmnectl -s ...)" % tmp)
            CLI(net)
            ok = True
        else:
            ok = transfer(net, topo, tmp, args.bin, args)
            for r in ne_list:
                out = subprocess.run([os.path.join(args.bin, "pgmnectl"), "-s",
                                      os.path.join(tmp, r + ".ctl"), "show", "traffic"],
                                     capture_output=True, text=True, timeout=10)
                print("--- %s: pgmnectl show traffic\n%s" % (r, out.stdout.strip()))
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
        net.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
