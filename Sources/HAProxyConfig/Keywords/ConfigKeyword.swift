/// One configuration keyword: its name, where it is allowed and its parser.
///
/// Mirrors HAProxy's `cfg_kw_list`: each keyword group declares its table
/// in its own file and `KeywordRegistry` gathers them.
struct ConfigKeyword {
    typealias Handler = (_ args: [String], _ context: inout ParseContext) throws -> Void

    let name: String
    let sections: SectionKinds
    /// The proxy capability the keyword acts on; without it HAProxy warns
    /// "'X' ignored because backend 'b' has no frontend capability."
    let capability: ProxyCapabilities?
    let handler: Handler

    init(_ name: String, _ sections: SectionKinds, capability: ProxyCapabilities? = nil, _ handler: @escaping Handler) {
        self.name = name
        self.sections = sections
        self.capability = capability
        self.handler = handler
    }
}
