/// The formats HAProxy 2.6 declares internally as log-format strings
/// (manual 8.2.2, 8.2.3, 8.2.4), compiled once.
extension LogFormat {
    /// `option tcplog`.
    public static let tcpLogSource =
        "%ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq"
    /// `option httplog`.
    public static let httpLogSource =
        "%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r"
    /// `option httplog clf`.
    public static let clfLogSource =
        "%{+Q}o %{-Q}ci - - [%trg] %r %ST %B \"\" \"\" %cp %ms %ft %b %s %TR %Tw %Tc %Tr %Ta %tsc %ac %fc %bc %sc %rc %sq %bq %CC %CS %hrl %hsl"
    /// `option httpslog`.
    public static let httpsLogSource =
        "%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r %[fc_err]/%[ssl_fc_err,hex]/%[ssl_c_err]/%[ssl_c_ca_err]/%[ssl_fc_is_resumed] %[ssl_fc_sni]/%sslv/%sslc"
    // swiftlint:disable force_try
    public static let tcpLog = try! LogFormat(compiling: tcpLogSource)
    public static let httpLog = try! LogFormat(compiling: httpLogSource)
    public static let clfLog = try! LogFormat(compiling: clfLogSource)
    public static let httpsLog = try! LogFormat(compiling: httpsLogSource)
    // swiftlint:enable force_try
}
