using System.Globalization;
using Workshop.Toolkit.Diagnostics;
using Workshop.Toolkit.Load;
using Workshop.Toolkit.Processes;
using Workshop.Toolkit.Replay;

namespace Lab04.Replay;

/// <summary>
/// Lab 04: 1,200 weather requests, 16 at a time, through the gateway to the provider fake, with at most 1,000
/// connections allowed and a 1 s provider timeout. Broken never hands a connection back, so it opens one per request
/// until the cap, and every request after that waits its whole timeout for a connection that never comes free. Fixed
/// reuses the few its pool holds.
/// </summary>
public sealed class UndisposedResponseScenario : LabScenario
{
    /// <summary>Requests, at scale 1.</summary>
    public const int Requests = 1_200;

    /// <summary>Connections the gateway may hold to the provider, at scale 1.</summary>
    public const int Cap = 1_000;

    /// <summary>Requests in flight.</summary>
    public const int InFlight = 16;

    /// <summary>How long the gateway gives the provider.</summary>
    public const int TimeoutMs = 1_000;

    /// <summary>The headline's figure: connections the provider accepted per 1,000 requests the gateway answered.</summary>
    public const string ConnectionsPerThousand = "connections_per_1000_answered";

    /// <summary>Connections the provider accepted from the gateway during the load.</summary>
    public const string Opened = "provider_connections_opened";

    /// <summary>Requests answered 504 because no connection came free within the timeout.</summary>
    public const string Stalled = "stalled_504";

    /// <summary>The gateway's sockets to the provider after the load, from /proc (Linux).</summary>
    public const string Sockets = "gateway_sockets_to_provider";

    /// <inheritdoc />
    public override string Lab => "04-undisposed-response";

    /// <inheritdoc />
    public override string Title => "The gateway that forgot to let go";

    /// <inheritdoc />
    public override string Symptom => "Every request keeps its connection to the provider: sockets pile up, and with a cap the next request hangs.";

    /// <inheritdoc />
    public override long? RequestCount => Requests;

    public override string Conditions(double scale) => string.Create(CultureInfo.InvariantCulture,
        $"{Math.Max(1, Math.Round(Requests * scale)):N0} requests, {InFlight} in flight; at most {Math.Max(1, Math.Round(Cap * scale)):N0} connections to the provider; provider timeout {TimeoutMs:N0} ms; answers of 64 KB; a 512 MB gen0 budget (no collection during the load)");

    /// <inheritdoc />
    public override IReadOnlyList<LabMetric> LabMetrics =>
    [
        new("weather_provider_calls_total", "calls to the provider"),
    ];

    /// <inheritdoc />
    public override IReadOnlyList<FigureRow> KeyRows =>
    [
        new(Opened, "connections the provider accepted"),
        new(Stalled, $"requests that waited the whole {TimeoutMs:N0} ms for a connection (504)"),
        new(Sockets, "gateway sockets to the provider after the load"),
        new("p99_ms", "latency p99"),
    ];

    /// <inheritdoc />
    public override HeadlineSpec Headline { get; } = new(ConnectionsPerThousand, "connections opened per 1,000 requests answered", Better.Lower, Unit: 1,
        (h, broken, @fixed) => string.Create(CultureInfo.InvariantCulture,
            $"Broken opened {h.Broken:N0} connections to the provider per 1,000 requests it answered: none was ever handed back, so each request " +
            $"took a new one, {broken.Figure(Opened):N0} in all, until the cap; then {broken.Figure(Stalled):N0} requests waited their whole " +
            $"{TimeoutMs:N0} ms for a connection and got a 504. Fixed opened {h.Fixed:N1} per 1,000 ({@fixed.Figure(Opened):N0} in all, about one per request in flight), " +
            $"{h.RatioText} fewer, and stalled {@fixed.Figure(Stalled):N0}. Its cost: disposing a response it stopped reading drains the rest of the " +
            $"64 KB body (or closes the connection when the rest is too big), bytes read only to be thrown away."));

    /// <inheritdoc />
    public override ScenarioText Chinese { get; } = new(
        Title: "忘了松手的网关",
        Conditions: scale => string.Create(CultureInfo.InvariantCulture,
            $"{Math.Max(1, Math.Round(Requests * scale)):N0} 个请求，{InFlight} 个并发；连向服务商的连接最多 {Math.Max(1, Math.Round(Cap * scale)):N0} 个；服务商超时 {TimeoutMs:N0} ms；应答 64 KB；gen0 预算 512 MB（负载期间不发生垃圾回收）"),
        HeadlineLabel: "每应答 1,000 个请求打开的连接",
        Sentence: (h, broken, @fixed) => string.Create(CultureInfo.InvariantCulture,
            $"Broken 每应答 1,000 个请求，就向服务商打开 {h.Broken:N0} 个连接：连接从不归还，所以每个请求都新开一个，直到上限，共 {broken.Figure(Opened):N0} 个；" +
            $"此后有 {broken.Figure(Stalled):N0} 个请求为等一个连接耗尽了整整 {TimeoutMs:N0} ms，最后得到 504。" +
            $"Fixed 每 1,000 个请求只打开 {h.Fixed:N1} 个（共 {@fixed.Figure(Opened):N0} 个，大约每个并发请求一个），两者相差 {ScenarioText.ChineseRatio(h)}，卡住的请求有 {@fixed.Figure(Stalled):N0} 个。" +
            $"它的代价：释放一个没读完的响应时，要把 64 KB 响应体的剩余部分读完（剩余太多时则关闭连接），这些字节读出来只是为了扔掉。"),
        Labels: new Dictionary<string, string>
        {
            [Opened] = "服务商接受的连接",
            [Stalled] = string.Create(CultureInfo.InvariantCulture, $"为等连接耗尽整整 {TimeoutMs:N0} ms 的请求（504）"),
            [Sockets] = "负载结束后网关连向服务商的套接字",
            ["p99_ms"] = "延迟 p99",
            ["weather_provider_calls_total"] = "对服务商的调用",
        });

    /// <inheritdoc />
    public override async Task<ScenarioContext> PrepareAsync(string variant, double scale, CancellationToken ct)
    {
        var settings = new Dictionary<string, string>
        {
            ["Lab:MaxConnectionsPerServer"] = Math.Max(1, Math.Round(Cap * scale)).ToString(CultureInfo.InvariantCulture),
            ["Lab:DownstreamTimeoutMs"] = TimeoutMs.ToString(CultureInfo.InvariantCulture),
            // A gen0 budget as large as a server's: no collection runs during the load, as none runs for long stretches
            // on a production box with memory to spare. (A collection finalizes leaked connections and frees their
            // slots, which is why the production stalls came and went.)
            ["DOTNET_GCgen0size"] = "0x20000000",
        };
        var context = new ScenarioContext(variant, settings, scale);
        var provider = context.Own(await Downstream.StartAsync(ct: ct).ConfigureAwait(false));
        settings["Lab:DownstreamUrl"] = provider.BaseAddress.ToString().TrimEnd('/');
        return context;
    }

    /// <inheritdoc />
    public override async Task<LoadResult> DriveAsync(LabService service, ScenarioContext context, IProgress<LoadProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(context);
        var provider = context.Owned<Downstream>();
        var before = await provider.ConnectionsAcceptedAsync(ct).ConfigureAwait(false);
        string[] cities = ["Paris", "Lyon", "Nantes", "Lille", "Rennes", "Nice", "Brest", "Dijon"];
        using var client = service.CreateClient(InFlight);
        // The clients wait far longer than the gateway's own timeout: a stall shows as the gateway's 504, never as ours.
        var load = await LoadDriver.RunRequestsAsync(client, i => new HttpRequestMessage(HttpMethod.Get, $"/api/weather/{cities[i % cities.Length]}"),
            InFlight, context.Scaled(Requests), new LoadSettings { RequestTimeout = TimeSpan.FromSeconds(30) }, progress, ct).ConfigureAwait(false);
        context.Figures[Opened] = await provider.ConnectionsAcceptedAsync(ct).ConfigureAwait(false) - before;
        if (TcpSockets.Supported) context.Figures[Sockets] = TcpSockets.CountToRemotePort(service.ProcessId, provider.Port);
        return load;
    }

    /// <inheritdoc />
    public override void Derive(string variant, LoadResult load, IDictionary<string, double> figures)
    {
        ArgumentNullException.ThrowIfNull(load);
        ArgumentNullException.ThrowIfNull(figures);
        figures[Stalled] = load.Count("504");
        var answered = Math.Max(1, load.Count("200"));
        figures[ConnectionsPerThousand] = Math.Round(figures.TryGetValue(Opened, out var opened) ? opened * 1000 / answered : 0, 1);
    }
}
