import NIOCore

/// Writes the Prometheus text exposition format (version 0.0.4) into one
/// growing `ByteBuffer`: `# HELP` and `# TYPE` once per metric, before its
/// first sample (a metric without samples prints nothing, as in HAProxy
/// 2.6), then one `name{labels} value` line per sample.
///
/// Names, help texts and fixed label values are `StaticString`s and
/// numbers are formatted in place, so a scrape allocates only as the
/// buffer grows.
struct PrometheusTextWriter {
    var buffer: ByteBuffer
    /// Whether the current metric's HELP and TYPE lines are out.
    private var headerWritten = false
    private var metric: PrometheusField?
    private var section: StaticString = ""

    init(buffer: ByteBuffer) {
        self.buffer = buffer
    }

    /// Starts a metric: its header is written with its first sample.
    mutating func begin(_ field: PrometheusField, section: StaticString) {
        metric = field
        self.section = section
        headerWritten = false
    }

    /// Starts a sample line of the current metric: the header when it is
    /// the first, then the name and `{` when `labelled`.
    private mutating func startSample(labelled: Bool) {
        guard let metric else { return }
        if !headerWritten {
            headerWritten = true
            buffer.writeStaticString("# HELP ")
            writeName(metric)
            buffer.writeInteger(UInt8(ascii: " "))
            buffer.writeStaticString(metric.help)
            buffer.writeStaticString("\n# TYPE ")
            writeName(metric)
            buffer.writeStaticString(metric.type == .counter ? " counter\n" : " gauge\n")
        }
        writeName(metric)
        if labelled { buffer.writeInteger(UInt8(ascii: "{")) }
    }

    private mutating func writeName(_ metric: PrometheusField) {
        buffer.writeStaticString("haproxy_")
        buffer.writeStaticString(section)
        buffer.writeInteger(UInt8(ascii: "_"))
        buffer.writeStaticString(metric.name)
    }

    /// A sample without labels: `name value`.
    mutating func sample(_ value: PrometheusValue) {
        startSample(labelled: false)
        finish(value)
    }

    /// A sample with the object's labels (`proxy`, then `server` when
    /// given) and the metric's own label (`state`, `code`...) when given.
    mutating func sample(
        proxy: String?, server: String? = nil, extra: (name: StaticString, value: String)? = nil,
        _ value: PrometheusValue
    ) {
        startSample(labelled: true)
        var first = true
        if let proxy { label("proxy", proxy, first: &first) }
        if let server { label("server", server, first: &first) }
        if let extra { label(extra.name, extra.value, first: &first) }
        buffer.writeInteger(UInt8(ascii: "}"))
        finish(value)
    }

    private mutating func label(_ name: StaticString, _ value: String, first: inout Bool) {
        if !first { buffer.writeInteger(UInt8(ascii: ",")) }
        first = false
        buffer.writeStaticString(name)
        buffer.writeStaticString("=\"")
        writeEscaped(value)
        buffer.writeInteger(UInt8(ascii: "\""))
    }

    /// A label value with `\`, `"` and line feeds escaped as the format
    /// requires (proxy and server names never hold them, but a `version`
    /// label could).
    private mutating func writeEscaped(_ value: String) {
        let utf8 = value.utf8
        guard utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == 0x0A }) else {
            buffer.writeString(value)
            return
        }
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
            case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
            case 0x0A: buffer.writeStaticString("\\n")
            default: buffer.writeInteger(byte)
            }
        }
    }

    private mutating func finish(_ value: PrometheusValue) {
        buffer.writeInteger(UInt8(ascii: " "))
        switch value {
        case .int(let v): writeDecimal(v)
        case .uint(let v): writeDecimal(v)
        case .nan: buffer.writeStaticString("NaN")
        case .milliseconds(let ms):
            if ms < 0 { buffer.writeInteger(UInt8(ascii: "-")) }
            let magnitude = ms.magnitude
            writeDecimal(magnitude / 1000)
            buffer.writeInteger(UInt8(ascii: "."))
            let fraction = magnitude % 1000
            buffer.writeInteger(UInt8(ascii: "0") + UInt8(fraction / 100))
            buffer.writeInteger(UInt8(ascii: "0") + UInt8(fraction / 10 % 10))
            buffer.writeInteger(UInt8(ascii: "0") + UInt8(fraction % 10))
            buffer.writeStaticString("000")
        }
        buffer.writeInteger(UInt8(ascii: "\n"))
    }

    /// Decimal digits written straight into the buffer.
    private mutating func writeDecimal<T: BinaryInteger>(_ value: T) {
        if value < 0 { buffer.writeInteger(UInt8(ascii: "-")) }
        var magnitude = UInt64(value.magnitude)
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes, enough for 20 digits
        let start = withUnsafeMutableBytes(of: &digits) { raw -> Int in
            var end = raw.count
            repeat {
                end -= 1
                raw[end] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            return end
        }
        withUnsafeBytes(of: &digits) { raw in
            _ = buffer.writeBytes(UnsafeRawBufferPointer(rebasing: raw[start...]))
        }
    }
}
