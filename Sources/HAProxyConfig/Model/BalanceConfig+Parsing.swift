/// Parsing of the `balance` and `hash-type` keywords (manual section 4.2).
extension BalanceConfig {
    static let unknownAlgorithmMessage =
        "balance only supports 'roundrobin', 'static-rr', 'leastconn', 'source', 'uri', 'url_param', 'hdr(name)' and 'rdp-cookie(name)' options."

    /// Parses the words after `balance`.
    ///
    /// Follows haproxy 2.6: no word at all means `roundrobin`; extra words
    /// after algorithms that take no argument are ignored; numbers are read
    /// like C's `atoi` (leading digits), so `len 5x` is 5 and `len abc` is an
    /// error because it reads as 0.
    public static func parseBalance(_ args: [String]) -> Result<BalanceAlgorithm, BalanceParseError> {
        guard let name = args.first, !name.isEmpty else { return .success(.roundRobin) }
        let rest = Array(args.dropFirst())
        switch name {
        case "roundrobin": return .success(.roundRobin)
        case "static-rr": return .success(.staticRoundRobin)
        case "leastconn": return .success(.leastConn)
        case "first": return .success(.first)
        case "source": return .success(.source)
        case "uri": return parseURI(rest)
        case "url_param": return parseURLParam(rest)
        case "hash":
            if rest.first.map({ $0.isEmpty }) ?? true {
                return .failure(BalanceParseError("balance hash requires a sample expression."))
            }
            return .failure(BalanceParseError("balance hash is not supported by this implementation."))
        default:
            break
        }
        if name == "random" || name.hasPrefix("random(") {
            return parseRandom(name)
        }
        if name.hasPrefix("hdr(") {
            return parseHeader(name, rest)
        }
        if name == "rdp-cookie" || name.hasPrefix("rdp-cookie(") {
            return .failure(BalanceParseError("balance rdp-cookie is not supported by this implementation."))
        }
        return .failure(BalanceParseError(unknownAlgorithmMessage))
    }

    /// Parses the words after `hash-type`:
    /// `<map-based|consistent> [sdbm|djb2|wt6|crc32] [avalanche]`.
    ///
    /// Without a function the default is `sdbm`, and `consistent` then also
    /// implies `avalanche` (manual: "consistent hash uses sdbm and avalanche
    /// if no hash function is specified"). Words after the modifier are
    /// ignored, as haproxy does.
    public static func parseHashType(_ args: [String]) -> Result<HashSettings, BalanceParseError> {
        let method = args.first ?? ""
        let hashType: HashType
        switch method {
        case "consistent": hashType = .consistent
        case "map-based": hashType = .mapBased
        case "avalanche":
            return .failure(BalanceParseError(
                "experimental feature 'hash-type avalanche' is not supported anymore, please use 'hash-type map-based sdbm avalanche' instead."))
        default:
            return .failure(BalanceParseError("'hash-type' only supports 'consistent' and 'map-based'."))
        }
        guard args.count > 1, !args[1].isEmpty else {
            return .success(HashSettings(hashType: hashType, hashFunction: .sdbm, avalanche: hashType == .consistent))
        }
        let function: HashFunction
        switch args[1] {
        case "sdbm": function = .sdbm
        case "djb2": function = .djb2
        case "wt6": function = .wt6
        case "crc32": function = .crc32
        default:
            return .failure(BalanceParseError("'hash-type' only supports 'sdbm', 'djb2', 'crc32', or 'wt6' hash functions."))
        }
        var avalanche = false
        if args.count > 2, !args[2].isEmpty {
            guard args[2] == "avalanche" else {
                return .failure(BalanceParseError("'hash-type' only supports 'avalanche' as a modifier for hash functions."))
            }
            avalanche = true
        }
        return .success(HashSettings(hashType: hashType, hashFunction: function, avalanche: avalanche))
    }

    private static func parseURI(_ args: [String]) -> Result<BalanceAlgorithm, BalanceParseError> {
        var whole = false, pathOnly = false
        var length: Int?, depth: Int?
        var i = 0
        while i < args.count, !args[i].isEmpty {
            let word = args[i]
            switch word {
            case "len", "depth":
                let value = i + 1 < args.count ? args[i + 1] : ""
                let number = atoi(value)
                guard number > 0 else {
                    return .failure(BalanceParseError("balance uri : '\(word)' expects a positive integer (got '\(value)')."))
                }
                if word == "len" { length = number } else { depth = number }
                i += 2
            case "whole":
                whole = true
                i += 1
            case "path-only":
                pathOnly = true
                i += 1
            default:
                return .failure(BalanceParseError(
                    "balance uri only accepts parameters 'len', 'depth', 'path-only', and 'whole' (got '\(word)')."))
            }
        }
        return .success(.uri(whole: whole, length: length, depth: depth, pathOnly: pathOnly))
    }

    private static func parseURLParam(_ args: [String]) -> Result<BalanceAlgorithm, BalanceParseError> {
        guard let name = args.first, !name.isEmpty else {
            return .failure(BalanceParseError("balance url_param requires an URL parameter name."))
        }
        guard args.count > 1, !args[1].isEmpty else {
            return .success(.urlParam(name: name, checkPost: nil))
        }
        guard args[1] == "check_post" else {
            return .failure(BalanceParseError("balance url_param only accepts 'check_post' modifier (got '\(args[1])')."))
        }
        // The optional max_wait after check_post is accepted and ignored (manual).
        let maxWait = args.count > 2 ? max(0, atoi(args[2])) : 0
        return .success(.urlParam(name: name, checkPost: maxWait))
    }

    private static func parseHeader(_ word: String, _ args: [String]) -> Result<BalanceAlgorithm, BalanceParseError> {
        let inner = word.dropFirst("hdr(".count)
        guard let close = inner.firstIndex(of: ")") else {
            return .failure(BalanceParseError("balance hdr requires an http header field name."))
        }
        let name = String(inner[..<close])
        guard !name.isEmpty, !name.contains(where: { $0 == " " || $0 == "\t" }) else {
            return .failure(BalanceParseError("balance hdr requires an http header field name."))
        }
        var useDomainOnly = false
        if let modifier = args.first, !modifier.isEmpty {
            guard modifier == "use_domain_only" else {
                return .failure(BalanceParseError("balance \(word) only accepts 'use_domain_only' modifier (got '\(modifier)')."))
            }
            useDomainOnly = true
        }
        return .success(.header(name: name, useDomainOnly: useDomainOnly))
    }

    private static func parseRandom(_ word: String) -> Result<BalanceAlgorithm, BalanceParseError> {
        guard word != "random" else { return .success(.random(draws: 2)) }
        let inner = word.dropFirst("random(".count)
        guard let close = inner.firstIndex(of: ")") else {
            return .failure(BalanceParseError("balance random : missing closing parenthesis."))
        }
        var digits = inner[..<close]
        if digits.isEmpty { return .success(.random(draws: 2)) }
        var negative = false
        if let sign = digits.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            digits = digits.dropFirst()
        }
        if let bad = digits.firstIndex(where: { !("0"..."9").contains($0) }) {
            return .failure(BalanceParseError("balance random : unexpected character '\(digits[bad])' after argument."))
        }
        let magnitude = Int(digits) ?? (digits.isEmpty ? 0 : Int.max)
        guard !negative, magnitude >= 1 else {
            return .failure(BalanceParseError("balance random : number of draws must be at least 1."))
        }
        return .success(.random(draws: magnitude))
    }

    /// C `atoi`: optional blanks and sign, then leading decimal digits; 0 if none.
    static func atoi(_ text: String) -> Int {
        var scalars = Substring(text).drop(while: { $0 == " " || $0 == "\t" })
        var sign = 1
        if let c = scalars.first, c == "-" || c == "+" {
            if c == "-" { sign = -1 }
            scalars = scalars.dropFirst()
        }
        var value = 0
        for c in scalars {
            guard let d = c.wholeNumberValue, c.isASCII else { break }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(d)
            if o1 || o2 { return sign * Int(Int32.max) }
            value = a
        }
        return sign * value
    }
}
