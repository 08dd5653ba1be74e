/// Fetches on the request's credentials (manual 7.3.6 `http_auth*`):
/// Basic authentication checked against a `userlist`, and the raw parts
/// of the authorization header (`http_auth_user`, `http_auth_pass`,
/// `http_auth_type`, `http_auth_bearer`).
enum AuthenticationFetches {
    static let keywords: [SampleFetchKeyword] = [
        SampleFetchKeyword("http_auth", [.userlist], mandatory: 1, .bool, .httpRequestHeaders) { args, context in
            guard case .basic(let user, let password)? = HTTPCredentials.of(context),
                  let list = context.userlist(named: args.text(at: 0) ?? "")
            else { return nil }
            return .bool(list.authenticates(user: user, password: password))
        },
        // The user's name when the password is right; ACLs then match it
        // against group names (`ACLTerm`'s group match).
        SampleFetchKeyword("http_auth_group", [.userlist], mandatory: 1, .string, .httpRequestHeaders) { args, context in
            guard case .basic(let user, let password)? = HTTPCredentials.of(context),
                  let list = context.userlist(named: args.text(at: 0) ?? ""),
                  list.authenticates(user: user, password: password)
            else { return nil }
            return .string(user)
        },
        SampleFetchKeyword("http_auth_user", .string, .httpRequestHeaders) { _, context in
            guard case .basic(let user, _)? = HTTPCredentials.of(context) else { return nil }
            return .string(user)
        },
        SampleFetchKeyword("http_auth_pass", .string, .httpRequestHeaders) { _, context in
            guard case .basic(_, let password)? = HTTPCredentials.of(context) else { return nil }
            return .string(password)
        },
        SampleFetchKeyword("http_auth_type", .string, .httpRequestHeaders) { _, context in
            HTTPCredentials.of(context).map { .string($0.scheme) }
        },
        SampleFetchKeyword("http_auth_bearer", [.string], .string, .httpRequestHeaders) { args, context in
            let header = args.bytes(at: 0).flatMap { $0.isEmpty ? nil : $0.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 } }
            guard case .bearer(let token)? = HTTPCredentials.of(context, header: header) else { return nil }
            return .string(token)
        },
    ]
}
