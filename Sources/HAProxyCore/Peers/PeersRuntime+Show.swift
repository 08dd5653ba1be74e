import HAProxyConfig
import HAProxyTables
#if canImport(Glibc)
import Glibc
#endif

/// `show peers` (management.txt 9.3) in 2.6's layout: the section, then
/// each peer (last declared first) with its session and
/// the tables it shares, last declared first. Addresses are the objects'
/// own; 2.6's internal flags and applet states have no equivalent here and
/// print as 0 (an established session shows `st0=7 ... state=EST`).
extension PeersRuntime {
    func render(into out: inout String, now: UInt64 = StickTable.now) {
        func address(_ object: AnyObject) -> String {
            "0x" + String(UInt(bitPattern: Unmanaged.passUnretained(object).toOpaque()), radix: 16)
        }
        func ago(_ tick: UInt64?) -> String {
            guard let tick else { return "<NEVER>" }
            return "\((now >= tick ? now - tick : 0) / 1000)s"
        }
        func until(_ tick: UInt64?) -> String {
            guard let tick else { return "<NEVER>" }
            return tick > now ? "\((tick - now + 999) / 1000)s" : "<PAST>"
        }
        var t = tm()
        var start = startDate
        localtime_r(&start, &t)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let date = "\(two(t.tm_mday))/\(months[Int(t.tm_mon)])/\(t.tm_year + 1900):\(two(t.tm_hour)):\(two(t.tm_min)):\(two(t.tm_sec))"
        out += "\(address(self)): [\(date)] id=\(config.name) disabled=\(config.disabled ? 1 : 0) flags=0x0 resync_timeout=\(resyncTimeoutLeft.map { $0 > 0 ? "\(($0 + 999) / 1000)s" : "<PAST>" } ?? "<PAST>") task_calls=0\n"
        func sharedTables(_ status: RemotePeer.Status?) {
            out += "        shared tables:\n"
            for (index, shared) in tables.enumerated().reversed() {
                let update = lastUpdateID(of: index)
                let remoteID = status?.remoteIDs[index] ?? 0
                let data = status?.remoteData[index] ?? 0
                out += "          \(address(shared.table))+\(index) local_id=\(shared.id) remote_id=\(remoteID) flags=0x0 remote_data=0x\(String(data, radix: 16))\n"
                out += "              last_acked=\(status?.lastAcked[index] ?? 0) last_pushed=\(status?.lastPushed[index] ?? 0) last_get=\(status?.lastGet[index] ?? 0) teaching_origin=0 update=0\n"
                out += "              table:\(address(shared.table)) id=\(shared.table.name) update=\(update) localupdate=\(update) commitupdate=0 refcnt=1\n"
                out += "        Dictionary cache not dumped (use \"show peers dict\")\n"
            }
        }
        for peer in config.peers.reversed() {
            guard let remote = remotes.first(where: { $0.config.name == peer.name }) else {
                out += "  \(address(self))+0: id=\(peer.name)(local,inactive) addr=\(Self.text(peer)) last_status=NONE last_hdshk=<NEVER>\n"
                out += "        reconnect=<NEVER> heartbeat=<NEVER> confirm=0 tx_hbt=0 rx_hbt=0 no_hbt=0 new_conn=0 proto_err=0 coll=0\n"
                out += "        flags=0x0\n"
                sharedTables(nil)
                continue
            }
            let s = remote.withStatus { $0 }
            out += "  \(address(remote)): id=\(remote.config.name)(remote,active) addr=\(Self.text(remote.config)) last_status=\(s.lastStatus) last_hdshk=\(ago(s.lastHandshake))\n"
            out += "        reconnect=\(until(s.reconnectAt)) heartbeat=<NEVER> confirm=0 tx_hbt=\(s.txHeartbeats) rx_hbt=\(s.rxHeartbeats) no_hbt=0 new_conn=\(s.newConnections) proto_err=0 coll=0\n"
            if s.established, let session = remote.session {
                out += "        flags=0x0 appctx:\(address(session)) st0=7 st1=0 task_calls=0 state=EST\n"
            } else {
                out += "        flags=0x0\n"
            }
            sharedTables(s)
        }
    }

    static func text(_ peer: PeersConfig.Peer) -> String {
        peer.host.contains(":") ? "[\(peer.host)]:\(peer.port)" : "\(peer.host):\(peer.port)"
    }
}
