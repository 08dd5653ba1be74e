/// An object that metrics are printed for: its `proxy` label, and its
/// `server` label for a server.
protocol PrometheusLabelled {
    var proxyLabel: String { get }
    var serverLabel: String? { get }
}

/// One metric of a section: its field, and how each object's samples are
/// read from the object's snapshot.
///
/// A metric has one sample per object, or one per value of its own label
/// (`state`, `code`), in the order HAProxy 2.6 prints them. An object that
/// has no value for the metric (an HTTP counter of a TCP proxy, a check
/// status without checks) prints no sample.
struct PrometheusMetric<Object: PrometheusLabelled> {
    let field: PrometheusField
    /// The metric's own label and its values; empty values: no such label.
    let label: StaticString
    let labelValues: [String]
    /// Samples go label value by label value, each across every object
    /// (2.6's `http_responses_total`: every proxy's 1xx, then every
    /// proxy's 2xx...), instead of object by object.
    let labelMajor: Bool
    /// The sample for an object and an index in `labelValues` (0 when the
    /// metric has no label of its own); nil prints no sample.
    let value: (Object, Int) -> PrometheusValue?

    /// One sample per object.
    static func value(_ field: PrometheusField, _ read: @escaping (Object) -> PrometheusValue?) -> Self {
        Self(field: field, label: "", labelValues: [], labelMajor: false) { object, _ in read(object) }
    }

    /// One sample per state, 1 for the object's state and 0 for the others
    /// (no 1 at all when the state is out of `names`); `state` nil prints
    /// none.
    static func states(
        _ field: PrometheusField, _ names: [String], label: StaticString = "state",
        _ state: @escaping (Object) -> Int?
    ) -> Self {
        Self(field: field, label: label, labelValues: names, labelMajor: false) { object, index in
            state(object).map { .int($0 == index ? 1 : 0) }
        }
    }

    /// One sample per label value, each with its own count.
    static func counts(
        _ field: PrometheusField, _ names: [String], label: StaticString, labelMajor: Bool = false,
        _ count: @escaping (Object, Int) -> PrometheusValue?
    ) -> Self {
        Self(field: field, label: label, labelValues: names, labelMajor: labelMajor, value: count)
    }

    /// Writes this metric's samples for `objects` (nothing at all when none
    /// of them has one).
    func write<Objects: Collection>(_ objects: Objects, section: StaticString, to writer: inout PrometheusTextWriter)
    where Objects.Element == Object {
        writer.begin(field, section: section)
        if labelValues.isEmpty {
            for object in objects {
                if let v = value(object, 0) { writer.sample(proxy: object.proxyLabel, server: object.serverLabel, v) }
            }
        } else if labelMajor {
            for (index, name) in labelValues.enumerated() {
                for object in objects {
                    if let v = value(object, index) { sample(object, name, v, &writer) }
                }
            }
        } else {
            for object in objects {
                for (index, name) in labelValues.enumerated() {
                    if let v = value(object, index) { sample(object, name, v, &writer) }
                }
            }
        }
    }

    private func sample(_ object: Object, _ labelValue: String, _ v: PrometheusValue, _ writer: inout PrometheusTextWriter) {
        writer.sample(proxy: object.proxyLabel, server: object.serverLabel, extra: (label, labelValue), v)
    }
}
