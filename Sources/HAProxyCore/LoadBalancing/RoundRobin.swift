/// `balance roundrobin`: smooth weighted round robin, dynamic.
///
/// Every pick adds each eligible server's weight to its running score, takes
/// the highest score (declaration order breaks ties) and takes the total
/// weight off the winner. Over any window of `total weight` picks each server
/// is chosen exactly `weight` times, and picks are spread out: weights 3,1
/// give a a b a. Weights are read at each pick, so a weight change applies
/// to the next pick without rebuilding anything. Servers at their `maxconn`
/// are skipped; when every server is full, `pick` returns nil and the runtime
/// queues the request in the backend.
///
/// Cost is O(eligible servers) per pick without allocation.
public final class RoundRobin: LoadBalancingAlgorithm {
    private var servers: [LBServer] = []
    /// Running score per server, indexed by `LBServer.index`.
    private var score: [Int]
    private var member: [Bool]

    public init(serverCount: Int) {
        score = Array(repeating: 0, count: serverCount)
        member = Array(repeating: false, count: serverCount)
    }

    public var isDynamic: Bool { true }

    public func setEligible(_ servers: [LBServer]) {
        var newMember = Array(repeating: false, count: member.count)
        for s in servers {
            newMember[s.index] = true
            // A server (re)joining starts from a neutral score.
            if !member[s.index] { score[s.index] = 0 }
        }
        member = newMember
        self.servers = servers
    }

    public func pick(hash: UInt32?, avoiding: LBServer?) -> LBServer? {
        var total = 0
        var best: LBServer?
        var bestScore = Int.min
        var avoided: LBServer?
        for s in servers {
            let i = s.index
            score[i] += s.weight
            total += s.weight
            guard s.hasFreeSlot else { continue }
            if s === avoiding {
                avoided = s
                continue
            }
            if score[i] > bestScore {
                bestScore = score[i]
                best = s
            }
        }
        guard let chosen = best ?? avoided else {
            // Everything full: undo the scores so the order resumes later.
            for s in servers { score[s.index] -= s.weight }
            return nil
        }
        score[chosen.index] -= total
        return chosen
    }
}
