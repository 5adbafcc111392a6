using System.Globalization;

namespace Workshop.Toolkit.Processes;

/// <summary>How the downstream fake answers (its <c>PUT /control</c> body).</summary>
/// <param name="Mode"><c>ok</c>, <c>slow</c> (wait <paramref name="DelayMs"/> first), <c>fail</c> (answer
/// <paramref name="Status"/>), <c>hang</c> (never answer), <c>drop</c> (half the body, then close the connection),
/// <c>stall</c> (the headers and the start of the body, then nothing more, the connection left open).</param>
/// <param name="DelayMs">The wait of <c>slow</c>.</param>
/// <param name="Status">The status of <c>fail</c>.</param>
/// <param name="BodyKb">The size of an answer: a first line describing the request, then rows.</param>
/// <param name="FailureRate">The share of requests the mode applies to (0 to 1, evenly spread); the others are answered ok.</param>
public sealed record DownstreamBehaviour(string Mode = "ok", int DelayMs = 0, int Status = 503, int BodyKb = 64, double FailureRate = 1)
{
    /// <summary>An answer at once, whole.</summary>
    public static DownstreamBehaviour Ok { get; } = new();

    /// <summary>No answer, ever: the request waits until the client gives up.</summary>
    public static DownstreamBehaviour Hang { get; } = new("hang");

    /// <summary>An error status at once.</summary>
    public static DownstreamBehaviour Fail(int status) => new("fail", Status: status);

    /// <summary>The whole answer, after a wait.</summary>
    public static DownstreamBehaviour Slow(TimeSpan delay) => new("slow", DelayMs: (int)delay.TotalMilliseconds);

    /// <summary>Half the body, then the connection closes.</summary>
    public static DownstreamBehaviour Drop { get; } = new("drop");

    /// <summary>The headers and the start of the first line, then nothing: a timeout that ends at the headers never fires.</summary>
    public static DownstreamBehaviour Stall { get; } = new("stall");

    /// <summary>The same behaviour for only a share of requests (0 to 1, evenly spread); the others are answered ok.</summary>
    public DownstreamBehaviour Sometimes(double failureRate) => this with { FailureRate = failureRate };
}

/// <summary>
/// The downstream fake of <c>src/Workshop.Downstream</c>, a real Kestrel process on its own loopback port that the
/// gateway labs call: it counts the connections it accepts (its own <c>/metrics</c>) and answers as told.
/// </summary>
public sealed class Downstream : IAsyncDisposable
{
    private readonly LabService _service;
    private readonly HttpClient _client;

    private Downstream(LabService service)
    {
        _service = service;
        _client = service.CreateClient(maxConnections: 2);
    }

    /// <summary>Where it listens, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress => _service.BaseAddress;

    /// <summary>Its port, which the gateway's sockets to it have as their remote port.</summary>
    public int Port => _service.Port;

    /// <summary>Its process id.</summary>
    public int ProcessId => _service.ProcessId;

    /// <summary>The fake's project file.</summary>
    public static string ProjectFile => Path.Combine(Repo.Root, "src", "Workshop.Downstream", "Workshop.Downstream.csproj");

    /// <summary>Builds (once per process, in Release) and starts the fake, answering as <paramref name="behaviour"/> says.</summary>
    public static async Task<Downstream> StartAsync(DownstreamBehaviour? behaviour = null, CancellationToken ct = default)
    {
        var dll = await DotnetBuild.EnsureBuiltAsync(ProjectFile, ct).ConfigureAwait(false);
        return await StartAsync(dll, behaviour, ct).ConfigureAwait(false);
    }

    /// <summary>Starts a build of the fake that exists already (a spec's, built with it), answering as <paramref name="behaviour"/> says.</summary>
    public static async Task<Downstream> StartAsync(string builtDll, DownstreamBehaviour? behaviour = null, CancellationToken ct = default)
    {
        var b = behaviour ?? DownstreamBehaviour.Ok;
        var settings = new Dictionary<string, string>
        {
            ["Downstream:Mode"] = b.Mode,
            ["Downstream:DelayMs"] = b.DelayMs.ToString(CultureInfo.InvariantCulture),
            ["Downstream:Status"] = b.Status.ToString(CultureInfo.InvariantCulture),
            ["Downstream:BodyKb"] = b.BodyKb.ToString(CultureInfo.InvariantCulture),
            ["Downstream:FailureRate"] = b.FailureRate.ToString(CultureInfo.InvariantCulture),
            // Its own log is noise beside the gateway's.
            ["Logging:LogLevel:Default"] = "Warning",
        };
        return new Downstream(await LabService.StartBuiltAsync(builtDll, "downstream", "fake", settings, ct).ConfigureAwait(false));
    }

    /// <summary>Changes how it answers from the next request on.</summary>
    public async Task SetAsync(DownstreamBehaviour behaviour, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(behaviour);
        // Written by hand, not by reflection: file-based scripts (a lab's diagnose.cs) run without reflection-based JSON.
        using var body = new MemoryStream();
        using (var json = new System.Text.Json.Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            json.WriteString("mode", behaviour.Mode);
            json.WriteNumber("delayMs", behaviour.DelayMs);
            json.WriteNumber("status", behaviour.Status);
            json.WriteNumber("bodyKb", behaviour.BodyKb);
            json.WriteNumber("failureRate", behaviour.FailureRate);
            json.WriteEndObject();
        }
        using var content = new ByteArrayContent(body.ToArray()) { Headers = { ContentType = new("application/json") } };
        using var response = await _client.PutAsync(new Uri("/control", UriKind.Relative), content, ct).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>TCP connections it has accepted since it started.</summary>
    public async Task<long> ConnectionsAcceptedAsync(CancellationToken ct = default) =>
        (long)await ReadAsync("downstream_connections_accepted_total", ct).ConfigureAwait(false);

    /// <summary>TCP connections open now (its own scraping connection among them).</summary>
    public async Task<long> ConnectionsOpenAsync(CancellationToken ct = default) =>
        (long)await ReadAsync("downstream_connections_open", ct).ConfigureAwait(false);

    /// <summary>Requests it has answered (or begun to), whatever the behaviour.</summary>
    public async Task<long> RequestsAsync(CancellationToken ct = default) =>
        (long)await ReadAsync("downstream_requests_total", ct).ConfigureAwait(false);

    /// <summary>Distinct <c>Idempotency-Key</c> values it has taken (a payment provider's charges), repeats not counted again.</summary>
    public async Task<long> KeysTakenAsync(CancellationToken ct = default) =>
        (long)await ReadAsync("downstream_idempotency_keys", ct).ConfigureAwait(false);

    /// <summary>Requests that repeated a key it had taken, each answered as the first was.</summary>
    public async Task<long> KeyRepeatsAsync(CancellationToken ct = default) =>
        (long)await ReadAsync("downstream_idempotency_repeats_total", ct).ConfigureAwait(false);

    /// <summary>
    /// Waits until it has received <paramref name="requests"/> requests in all, reading its <c>/metrics</c> every 10 ms,
    /// so a caller can act once calls are known to be in flight (a hung provider holding them); returns the count.
    /// </summary>
    /// <exception cref="TimeoutException">Fewer arrived within <paramref name="timeout"/>.</exception>
    public async Task<long> WaitForRequestsAsync(long requests, TimeSpan timeout, CancellationToken ct = default)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var seen = await RequestsAsync(ct).ConfigureAwait(false);
            if (seen >= requests) return seen;
            if (waited.Elapsed > timeout)
            {
                throw new TimeoutException(string.Create(CultureInfo.InvariantCulture,
                    $"The downstream fake received {seen} requests in {timeout.TotalSeconds:0} s; {requests} were expected."));
            }
            await Task.Delay(10, ct).ConfigureAwait(false);
        }
    }

    private async Task<double> ReadAsync(string name, CancellationToken ct)
    {
        var text = await _client.GetStringAsync(new Uri("/metrics", UriKind.Relative), ct).ConfigureAwait(false);
        return PrometheusText.Parse(text).Where(s => s.Name == name).Sum(s => s.Value);
    }

    /// <summary>Stops the fake.</summary>
    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _service.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Where it runs, for messages.</summary>
    public override string ToString() => $"downstream fake at {BaseAddress} (pid {ProcessId})";
}
