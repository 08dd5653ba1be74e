/// A frontend's snapshot is printed as it is.
extension StatSnapshot: PrometheusLabelled {
    var proxyLabel: String { proxyName }
    var serverLabel: String? { kind == .server ? serviceName : nil }
}
