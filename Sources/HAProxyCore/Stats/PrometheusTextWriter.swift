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

    /// Writes the current metric's HELP and TYPE lines if not out yet.
    private mutating func writeHeaderOnce(_ metric: PrometheusField) {
        guard !headerWritten else { return }
        headerWritten = true
        buffer.writeStaticString("# HELP ")
        writeName(metric)
        buffer.writeInteger(UInt8(ascii: " "))
        buffer.writeStaticString(metric.help)
        buffer.writeStaticString("\n# TYPE ")
        writeName(metric)
        buffer.writeStaticString(metric.type == .counter ? " counter\n" : " gauge\n")
    }

    private mutating func writeName(_ metric: PrometheusField) {
        buffer.writeStaticString("haproxy_")
        buffer.writeStaticString(section)
        buffer.writeInteger(UInt8(ascii: "_"))
        buffer.writeStaticString(metric.name)
    }

    /// A sample without labels: `name value`.
    mutating func sample(_ value: PrometheusValue) {
        sample(proxy: nil, value)
    }

    /// A sample with the object's labels (`proxy`, then `server` when
    /// given) and the metric's own label (`state`, `code`...) when given;
    /// none of them: no braces.
    ///
    /// The line is written in one reservation of the buffer, through a
    /// pointer: a scrape of thousands of servers has tens of thousands.
    mutating func sample(
        proxy: String?, server: String? = nil, extra: (name: StaticString, value: String)? = nil,
        _ value: PrometheusValue
    ) {
        guard let metric else { return }
        writeHeaderOnce(metric)
        // Escaping at most doubles a label value; a value takes at most 28.
        var bound = 8 + section.utf8CodeUnitCount + 1 + metric.name.utf8CodeUnitCount + 2 + 40
        if let proxy { bound += 10 + 2 * proxy.utf8.count }
        if let server { bound += 11 + 2 * server.utf8.count }
        if let extra { bound += 4 + extra.name.utf8CodeUnitCount + 2 * extra.value.utf8.count }
        let section = self.section
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { raw in
            var line = LineWriter(base: raw.baseAddress!)
            line.append("haproxy_")
            line.append(section)
            line.append(UInt8(ascii: "_"))
            line.append(metric.name)
            if proxy != nil || server != nil || extra != nil {
                var separator: UInt8 = UInt8(ascii: "{")
                if let proxy { line.label(&separator, "proxy", proxy) }
                if let server { line.label(&separator, "server", server) }
                if let extra { line.label(&separator, extra.name, extra.value) }
                line.append(UInt8(ascii: "}"))
            }
            line.append(UInt8(ascii: " "))
            line.value(value)
            line.append(UInt8(ascii: "\n"))
            return line.count
        }
    }
}

/// Appends the bytes of one exposition line at a pointer into space the
/// caller reserved (`PrometheusTextWriter.sample` bounds the length).
private struct LineWriter {
    let base: UnsafeMutableRawPointer
    private(set) var count = 0

    init(base: UnsafeMutableRawPointer) {
        self.base = base
    }

    mutating func append(_ byte: UInt8) {
        base.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    mutating func append(_ text: StaticString) {
        (base + count).copyMemory(from: text.utf8Start, byteCount: text.utf8CodeUnitCount)
        count += text.utf8CodeUnitCount
    }

    /// `{name="value"` or `,name="value"`, with `\`, `"` and line feeds in
    /// the value escaped as the format requires (proxy and server names
    /// never hold them, but a `version` label could).
    mutating func label(_ separator: inout UInt8, _ name: StaticString, _ value: String) {
        append(separator)
        separator = UInt8(ascii: ",")
        append(name)
        append(UInt8(ascii: "="))
        append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { bytes in
            if !bytes.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == 0x0A }) {
                if let start = bytes.baseAddress { (base + count).copyMemory(from: start, byteCount: bytes.count) }
                count += bytes.count
                return
            }
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "\\"), UInt8(ascii: "\""):
                    append(UInt8(ascii: "\\"))
                    append(byte)
                case 0x0A:
                    append(UInt8(ascii: "\\"))
                    append(UInt8(ascii: "n"))
                default: append(byte)
                }
            }
        }
        append(UInt8(ascii: "\""))
    }

    mutating func value(_ value: PrometheusValue) {
        switch value {
        case .int(let v):
            if v < 0 { append(UInt8(ascii: "-")) }
            decimal(UInt64(v.magnitude))
        case .uint(let v): decimal(v)
        case .nan: append("NaN")
        case .milliseconds(let ms):
            if ms < 0 { append(UInt8(ascii: "-")) }
            let magnitude = UInt64(ms.magnitude)
            decimal(magnitude / 1000)
            append(UInt8(ascii: "."))
            let fraction = magnitude % 1000
            append(UInt8(ascii: "0") + UInt8(fraction / 100))
            append(UInt8(ascii: "0") + UInt8(fraction / 10 % 10))
            append(UInt8(ascii: "0") + UInt8(fraction % 10))
            append("000")
        }
    }

    /// Decimal digits, at most 20.
    private mutating func decimal(_ value: UInt64) {
        var digits = 1
        var rest = value
        while rest >= 10 {
            rest /= 10
            digits += 1
        }
        var v = value
        for i in stride(from: count + digits - 1, through: count, by: -1) {
            base.storeBytes(of: UInt8(ascii: "0") + UInt8(v % 10), toByteOffset: i, as: UInt8.self)
            v /= 10
        }
        count += digits
    }
}
