import Foundation
import HAProxyConfig
import XCTest

@testable import HAProxyCore

/// `show stat typed|json` against the shape HAProxy 2.6 printed for the
/// same configuration (fields present, positions, tags and types; values
/// such as slim depend on the host).
final class ShowStatTypedTests: RuntimeTestCase {
    static let config = """
        global
            stats socket /tmp/cli-typed-unit-never-bound.sock level admin

        defaults
            mode http
            timeout connect 1s
            timeout client 1s
            timeout server 1s

        frontend fe
            bind 127.0.0.1:47001
            default_backend be

        backend be
            balance roundrobin
            server s1 127.0.0.1:9
        """

    /// `show stat typed` of HAProxy 2.6 for `config`, without the values.
    static let realShape = """
        F.2.0.0.pxname.1:KNS:str
        F.2.0.1.svname.1:KNS:str
        F.2.0.4.scur.1:MGP:u32
        F.2.0.5.smax.1:MMP:u32
        F.2.0.6.slim.1:CLP:u32
        F.2.0.7.stot.1:MCP:u64
        F.2.0.8.bin.1:MCP:u64
        F.2.0.9.bout.1:MCP:u64
        F.2.0.10.dreq.1:MCP:u64
        F.2.0.11.dresp.1:MCP:u64
        F.2.0.12.ereq.1:MCP:u64
        F.2.0.17.status.1:SGP:str
        F.2.0.26.pid.1:KGP:u32
        F.2.0.27.iid.1:KGS:u32
        F.2.0.28.sid.1:KGS:u32
        F.2.0.32.type.1:CGS:u32
        F.2.0.33.rate.1:MRP:u32
        F.2.0.34.rate_lim.1:CLP:u32
        F.2.0.35.rate_max.1:MMP:u32
        F.2.0.39.hrsp_1xx.1:MCP:u64
        F.2.0.40.hrsp_2xx.1:MCP:u64
        F.2.0.41.hrsp_3xx.1:MCP:u64
        F.2.0.42.hrsp_4xx.1:MCP:u64
        F.2.0.43.hrsp_5xx.1:MCP:u64
        F.2.0.44.hrsp_other.1:MCP:u64
        F.2.0.46.req_rate.1:MRP:u32
        F.2.0.47.req_rate_max.1:MMP:u32
        F.2.0.48.req_tot.1:MCP:u64
        F.2.0.51.comp_in.1:MCP:u64
        F.2.0.52.comp_out.1:MCP:u64
        F.2.0.53.comp_byp.1:MCP:u64
        F.2.0.54.comp_rsp.1:MCP:u64
        F.2.0.75.mode.1:CGS:str
        F.2.0.77.conn_rate.1:MRP:u32
        F.2.0.78.conn_rate_max.1:MMP:u32
        F.2.0.79.conn_tot.1:MCP:u64
        F.2.0.80.intercepted.1:MCP:u64
        F.2.0.81.dcon.1:MCP:u64
        F.2.0.82.dses.1:MCP:u64
        F.2.0.83.wrew.1:MCP:u64
        F.2.0.86.cache_lookups.1:MCP:u64
        F.2.0.87.cache_hits.1:MCP:u64
        F.2.0.94.eint.1:MCP:u64
        F.2.0.103.ssl_sess.1:MCP:u64
        F.2.0.104.ssl_reused_sess.1:MCP:u64
        F.2.0.105.ssl_failed_handshake.1:MCP:u64
        F.2.0.106.h2_headers_rcvd.1:MCP:u64
        F.2.0.107.h2_data_rcvd.1:MCP:u64
        F.2.0.108.h2_settings_rcvd.1:MCP:u64
        F.2.0.109.h2_rst_stream_rcvd.1:MCP:u64
        F.2.0.110.h2_goaway_rcvd.1:MCP:u64
        F.2.0.111.h2_detected_conn_protocol_errors.1:MCP:u64
        F.2.0.112.h2_detected_strm_protocol_errors.1:MCP:u64
        F.2.0.113.h2_rst_stream_resp.1:MCP:u64
        F.2.0.114.h2_goaway_resp.1:MCP:u64
        F.2.0.115.h2_open_connections.1:MGP:u64
        F.2.0.116.h2_backend_open_streams.1:MGP:u64
        F.2.0.117.h2_total_connections.1:MCP:u64
        F.2.0.118.h2_backend_total_streams.1:MCP:u64
        F.2.0.119.h1_open_connections.1:MGP:u64
        F.2.0.120.h1_open_streams.1:MGP:u64
        F.2.0.121.h1_total_connections.1:MCP:u64
        F.2.0.122.h1_total_streams.1:MCP:u64
        F.2.0.123.h1_bytes_in.1:MCP:u64
        F.2.0.124.h1_bytes_out.1:MCP:u64
        F.2.0.125.h1_spliced_bytes_in.1:MCP:u64
        F.2.0.126.h1_spliced_bytes_out.1:MCP:u64
        S.3.1.0.pxname.1:KNS:str
        S.3.1.1.svname.1:KNS:str
        S.3.1.2.qcur.1:MGP:u32
        S.3.1.3.qmax.1:MMP:u32
        S.3.1.4.scur.1:MGP:u32
        S.3.1.5.smax.1:MMP:u32
        S.3.1.7.stot.1:MCP:u64
        S.3.1.8.bin.1:MCP:u64
        S.3.1.9.bout.1:MCP:u64
        S.3.1.11.dresp.1:MCP:u64
        S.3.1.13.econ.1:MCP:u64
        S.3.1.14.eresp.1:MCP:u64
        S.3.1.15.wretr.1:MCP:u64
        S.3.1.16.wredis.1:MCP:u64
        S.3.1.17.status.1:SGP:str
        S.3.1.18.weight.1:MaP:u32
        S.3.1.19.act.1:SGP:u32
        S.3.1.20.bck.1:SGP:u32
        S.3.1.23.lastchg.1:MAP:u32
        S.3.1.26.pid.1:KGP:u32
        S.3.1.27.iid.1:KGS:u32
        S.3.1.28.sid.1:KGS:u32
        S.3.1.30.lbtot.1:MCP:u64
        S.3.1.32.type.1:CGS:u32
        S.3.1.33.rate.1:MRP:u32
        S.3.1.35.rate_max.1:MMP:u32
        S.3.1.39.hrsp_1xx.1:MCP:u64
        S.3.1.40.hrsp_2xx.1:MCP:u64
        S.3.1.41.hrsp_3xx.1:MCP:u64
        S.3.1.42.hrsp_4xx.1:MCP:u64
        S.3.1.43.hrsp_5xx.1:MCP:u64
        S.3.1.44.hrsp_other.1:MCP:u64
        S.3.1.48.req_tot.1:MCP:u64
        S.3.1.49.cli_abrt.1:MCP:u64
        S.3.1.50.srv_abrt.1:MCP:u64
        S.3.1.55.lastsess.1:MAP:s32
        S.3.1.58.qtime.1:MaP:u32
        S.3.1.59.ctime.1:MaP:u32
        S.3.1.60.rtime.1:MaP:u32
        S.3.1.61.ttime.1:MaP:u32
        S.3.1.73.addr.1:CGS:str
        S.3.1.75.mode.1:CGS:str
        S.3.1.83.wrew.1:MCP:u64
        S.3.1.84.connect.1:MCP:u64
        S.3.1.85.reuse.1:MCP:u64
        S.3.1.88.srv_icur.1:MGP:u32
        S.3.1.90.qtime_max.1:MMP:u32
        S.3.1.91.ctime_max.1:MMP:u32
        S.3.1.92.rtime_max.1:MMP:u32
        S.3.1.93.ttime_max.1:MMP:u32
        S.3.1.94.eint.1:MCP:u64
        S.3.1.95.idle_conn_cur.1:MGP:u32
        S.3.1.96.safe_conn_cur.1:MGP:u32
        S.3.1.97.used_conn_cur.1:MGP:u32
        S.3.1.98.need_conn_est.1:MGP:u32
        S.3.1.99.uweight.1:MaP:u32
        S.3.1.103.ssl_sess.1:MCP:u64
        S.3.1.104.ssl_reused_sess.1:MCP:u64
        S.3.1.105.ssl_failed_handshake.1:MCP:u64
        B.3.0.0.pxname.1:KNS:str
        B.3.0.1.svname.1:KNS:str
        B.3.0.2.qcur.1:MGP:u32
        B.3.0.3.qmax.1:MMP:u32
        B.3.0.4.scur.1:MGP:u32
        B.3.0.5.smax.1:MMP:u32
        B.3.0.6.slim.1:CLP:u32
        B.3.0.7.stot.1:MCP:u64
        B.3.0.8.bin.1:MCP:u64
        B.3.0.9.bout.1:MCP:u64
        B.3.0.10.dreq.1:MCP:u64
        B.3.0.11.dresp.1:MCP:u64
        B.3.0.13.econ.1:MCP:u64
        B.3.0.14.eresp.1:MCP:u64
        B.3.0.15.wretr.1:MCP:u64
        B.3.0.16.wredis.1:MCP:u64
        B.3.0.17.status.1:SGP:str
        B.3.0.18.weight.1:MaP:u32
        B.3.0.19.act.1:MGP:u32
        B.3.0.20.bck.1:MGP:u32
        B.3.0.22.chkdown.1:MCP:u64
        B.3.0.23.lastchg.1:MAP:u32
        B.3.0.24.downtime.1:MCP:u32
        B.3.0.26.pid.1:KGP:u32
        B.3.0.27.iid.1:KGS:u32
        B.3.0.28.sid.1:KGS:u32
        B.3.0.30.lbtot.1:MCP:u64
        B.3.0.32.type.1:CGS:u32
        B.3.0.33.rate.1:MGP:u32
        B.3.0.35.rate_max.1:MGP:u32
        B.3.0.39.hrsp_1xx.1:MCP:u64
        B.3.0.40.hrsp_2xx.1:MCP:u64
        B.3.0.41.hrsp_3xx.1:MCP:u64
        B.3.0.42.hrsp_4xx.1:MCP:u64
        B.3.0.43.hrsp_5xx.1:MCP:u64
        B.3.0.44.hrsp_other.1:MCP:u64
        B.3.0.48.req_tot.1:MCP:u64
        B.3.0.49.cli_abrt.1:MCP:u64
        B.3.0.50.srv_abrt.1:MCP:u64
        B.3.0.51.comp_in.1:MCP:u64
        B.3.0.52.comp_out.1:MCP:u64
        B.3.0.53.comp_byp.1:MCP:u64
        B.3.0.54.comp_rsp.1:MCP:u64
        B.3.0.55.lastsess.1:MAP:s32
        B.3.0.58.qtime.1:MaP:u32
        B.3.0.59.ctime.1:MaP:u32
        B.3.0.60.rtime.1:MaP:u32
        B.3.0.61.ttime.1:MaP:u32
        B.3.0.75.mode.1:CGS:str
        B.3.0.76.algo.1:CGS:str
        B.3.0.83.wrew.1:MCP:u64
        B.3.0.84.connect.1:MCP:u64
        B.3.0.85.reuse.1:MCP:u64
        B.3.0.86.cache_lookups.1:MCP:u64
        B.3.0.87.cache_hits.1:MCP:u64
        B.3.0.90.qtime_max.1:MMP:u32
        B.3.0.91.ctime_max.1:MMP:u32
        B.3.0.92.rtime_max.1:MMP:u32
        B.3.0.93.ttime_max.1:MMP:u32
        B.3.0.94.eint.1:MCP:u64
        B.3.0.99.uweight.1:MaP:u32
        B.3.0.100.agg_server_status.1:MGP:u32
        B.3.0.101.agg_server_check_status.1:MGP:u32
        B.3.0.102.agg_check_status.1:MGP:u32
        B.3.0.103.ssl_sess.1:MCP:u64
        B.3.0.104.ssl_reused_sess.1:MCP:u64
        B.3.0.105.ssl_failed_handshake.1:MCP:u64
        B.3.0.106.h2_headers_rcvd.1:MCP:u64
        B.3.0.107.h2_data_rcvd.1:MCP:u64
        B.3.0.108.h2_settings_rcvd.1:MCP:u64
        B.3.0.109.h2_rst_stream_rcvd.1:MCP:u64
        B.3.0.110.h2_goaway_rcvd.1:MCP:u64
        B.3.0.111.h2_detected_conn_protocol_errors.1:MCP:u64
        B.3.0.112.h2_detected_strm_protocol_errors.1:MCP:u64
        B.3.0.113.h2_rst_stream_resp.1:MCP:u64
        B.3.0.114.h2_goaway_resp.1:MCP:u64
        B.3.0.115.h2_open_connections.1:MGP:u64
        B.3.0.116.h2_backend_open_streams.1:MGP:u64
        B.3.0.117.h2_total_connections.1:MCP:u64
        B.3.0.118.h2_backend_total_streams.1:MCP:u64
        B.3.0.119.h1_open_connections.1:MGP:u64
        B.3.0.120.h1_open_streams.1:MGP:u64
        B.3.0.121.h1_total_connections.1:MCP:u64
        B.3.0.122.h1_total_streams.1:MCP:u64
        B.3.0.123.h1_bytes_in.1:MCP:u64
        B.3.0.124.h1_bytes_out.1:MCP:u64
        B.3.0.125.h1_spliced_bytes_in.1:MCP:u64
        B.3.0.126.h1_spliced_bytes_out.1:MCP:u64
        """

    func testTypedHasTheRealShape() throws {
        let answer = try makeRuntime(from: Self.config).cli.execute("show stat typed", level: .admin)
        XCTAssertTrue(answer.hasSuffix("\n\n"))
        let shape = answer.split(separator: "\n").map { line -> String in
            let parts = line.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false)
            return parts.prefix(3).joined(separator: ":")
        }
        XCTAssertEqual(shape, Self.realShape.split(separator: "\n").map(String.init))
        XCTAssertTrue(answer.contains("F.2.0.17.status.1:SGP:str:OPEN\n"))
        XCTAssertTrue(answer.contains("S.3.1.1.svname.1:KNS:str:s1\n"))
    }

    func testJSONMatchesTyped() throws {
        let cli = try makeRuntime(from: Self.config).cli
        let answer = cli.execute("show stat json", level: .admin)
        XCTAssertTrue(answer.hasPrefix("[[{\"objType\":\"Frontend\",\"proxyId\":2,\"id\":0,"
            + "\"field\":{\"pos\":0,\"name\":\"pxname\"},\"processNum\":1,"
            + "\"tags\":{\"origin\":\"Key\",\"nature\":\"Name\",\"scope\":\"Service\"},"
            + "\"value\":{\"type\":\"str\",\"value\":\"fe\"}},"))
        XCTAssertTrue(answer.hasSuffix("}]]\n\n"))
        let objects = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [[[String: Any]]])
        XCTAssertEqual(objects.map { $0.first?["objType"] as? String }, ["Frontend", "Server", "Backend"])
        let typedCount = cli.execute("show stat typed", level: .admin).split(separator: "\n").count
        XCTAssertEqual(objects.map(\.count).reduce(0, +), typedCount)
        XCTAssertEqual(objects.map(\.count), [67, 59, 88])
    }
}
