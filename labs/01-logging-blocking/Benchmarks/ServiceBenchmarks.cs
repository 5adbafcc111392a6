extern alias broken;

using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Workshop.ServiceKit;
using BrokenService = broken::Lab01.Broken.Marker;
using FixedService = Lab01.Fixed.Marker;

namespace Lab01.Benchmarks;

/// <summary>
/// <c>GET /api/orders/42</c>, end to end through the ASP.NET Core pipeline on a <see cref="TestServer"/> (no
/// sockets) or, where <see cref="OverSocket"/> says so, on Kestrel on a loopback port, against three hosts: <b>Baseline</b>, the fixed service with its request log switched off (category
/// <c>Lab01.RequestLoggingMiddleware</c> at None); <b>Fixed</b>, the same service logging every request at
/// Information (Serilog, async bounded buffer, rolling JSON file); <b>Broken</b>, the broken service (a formatted
/// line written and flushed under a global lock). Both logs write to a temporary directory on the fast disk
/// (<c>Lab:LogSinkDelayMs=0</c>), so the numbers are the logging code's own, not the simulated stall.
/// </summary>
/// <remarks>
/// Each benchmark gets its own host, started in its own <c>[GlobalSetup]</c> and disposed in
/// <c>[GlobalCleanup]</c>, so that no other host's background threads (the fixed log's writer above all) run while
/// another is measured. Allocated bytes are the whole process's (BenchmarkDotNet reads
/// <c>GC.GetTotalAllocatedBytes</c>), so the fixed log's formatting and writing on its own thread count too.
/// </remarks>
public abstract class ServiceBenchmarks
{
    private const string RequestLogCategory = "Logging:LogLevel:Lab01.RequestLoggingMiddleware";
    protected const string OrderUri = "/api/orders/42";
    private const int WarmUpSeconds = 2;

    /// <summary>
    /// True: the host listens on Kestrel on a loopback port and the client is a real HTTP client on keep-alive
    /// connections, so each request crosses a real socket both ways; false: the in-process <see cref="TestServer"/>.
    /// </summary>
    protected virtual bool OverSocket => false;

    private IDisposable? _factory;
    private HttpClient? _client;
    private string _logDirectory = null!;
    private long _requests;
    private long? _droppedAtStart;
    private bool _fixedService;

    [GlobalSetup(Target = "Baseline")]
    public void SetupBaseline() => Start<FixedService>("baseline", ("Lab:LogSinkDelayMs", "0"), (RequestLogCategory, "None"));

    [GlobalSetup(Target = "Fixed")]
    public void SetupFixed() => Start<FixedService>("fixed", ("Lab:LogSinkDelayMs", "0"), (RequestLogCategory, "Information"));

    [GlobalSetup(Target = "Broken")]
    public void SetupBroken() => Start<BrokenService>("broken", ("Lab:LogSinkDelayMs", "0"));

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_client is null) return; // the setup failed and cleaned up after itself
        var logFigures = ReadLogFigures();
        _client.Dispose();
        _client = null;
        _factory?.Dispose(); // stops the host: the fixed log flushes its buffer here
        _factory = null;
        _alternativePipeline?.Dispose(); // flushes what its buffer holds
        _alternativePipeline = null;
        _alternative = null;

        // Proof of what was measured, in the run's log. Baseline: no request-log line (its file holds only the
        // host's start and stop lines). Broken: one line per request. Fixed: the lines in the files its retention
        // kept (10 of 10 MB), none with a body (that is the Debug event), and no event dropped while measured: a
        // benchmark that outran the log's writer would time a log that does not keep up.
        var files = Directory.Exists(_logDirectory) ? Directory.GetFiles(_logDirectory) : [];
        long logged = 0, withBody = 0;
        foreach (var line in files.SelectMany(File.ReadLines))
        {
            if (!line.Contains(OrderUri, StringComparison.Ordinal)) continue;
            logged++;
            // The fixed log's Debug-level detail event is the one that carries RequestBody.
            if (line.Contains("RequestBody", StringComparison.Ordinal)) withBody++;
        }
        var bodies = _fixedService ? $", {withBody:N0} of them with a body" : "";
        Console.WriteLine($"// {_requests:N0} requests to {OrderUri} (warm-up included), {logged:N0} request-log lines in the {files.Length} file(s) kept{bodies}");
        foreach (var figure in logFigures) Console.WriteLine($"//   {figure}");
        if (_fixedService)
        {
            var dropped = Dropped(logFigures) is { } total && _droppedAtStart is { } before ? $"{total - before:N0}" : "not reported by /metrics";
            Console.WriteLine($"// request-log events dropped while measured (after the warm-up): {dropped}");
        }
        Directory.Delete(_logDirectory, recursive: true);
    }

    public async Task<int> GetOrderAsync()
    {
        _requests++;
        using var response = await _client!.GetAsync(OrderUri);
        return (int)response.StatusCode;
    }

    /// <summary>The lab's own figures from <c>/metrics</c>: the fixed log's queue and drops, the broken log's lines.</summary>
    private List<string> ReadLogFigures()
    {
        // Now and then a scrape comes back without the lab's observable instruments: ask again before giving up.
        List<string> figures = [];
        for (var attempt = 0; attempt < 3 && figures.Count == 0; attempt++)
        {
            figures = _client!.GetStringAsync("/metrics").GetAwaiter().GetResult()
                .Split('\n').Where(l => l.StartsWith("log_", StringComparison.Ordinal)).ToList();
        }
        return figures;
    }

    private static long? Dropped(List<string> logFigures) =>
        logFigures.Where(l => l.StartsWith("log_events_dropped", StringComparison.Ordinal))
            .Select(l => (long?)long.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture))
            .FirstOrDefault();

    /// <summary>
    /// The fixed service with its request log written by another pipeline of <see cref="RequestLogPipeline"/> (the
    /// same event, the same bounded buffer, another formatter or library): what the fix would cost written otherwise.
    /// </summary>
    public void StartFixedWith(string pipeline)
    {
        _alternative = pipeline;
        Start<FixedService>("fixed-" + pipeline.Split(',')[0].ToLowerInvariant(), ("Lab:LogSinkDelayMs", "0"), (RequestLogCategory, "Information"));
    }

    private string? _alternative;
    private RequestLogPipeline? _alternativePipeline;

    private void Start<TMarker>(string name, params (string Key, string Value)[] settings) where TMarker : class
    {
        _fixedService = typeof(TMarker) == typeof(FixedService);
        _logDirectory = Directory.CreateTempSubdirectory($"lab01-bench-{name}-").FullName;
        try
        {
            StartHost<TMarker>(name, settings);
        }
        catch
        {
            _client?.Dispose();
            _factory?.Dispose();
            _factory = null;
            Directory.Delete(_logDirectory, recursive: true);
            throw;
        }
    }

    private void StartHost<TMarker>(string name, (string Key, string Value)[] settings) where TMarker : class
    {
        var factory = new WebApplicationFactory<TMarker>().WithWebHostBuilder(b =>
        {
            // As deployed: no developer exception page, no development-only checks in the pipeline.
            b.UseEnvironment(Environments.Production);
            b.UseSetting("Lab:LogDirectory", _logDirectory);
            foreach (var (key, value) in settings) b.UseSetting(key, value);
            if (_alternative is { } pipeline)
            {
                b.ConfigureTestServices(services =>
                {
                    // The fixed service's request-log provider is the one registered by a factory (AddRequestLog).
                    foreach (var d in services.Where(d => d.ServiceType == typeof(Microsoft.Extensions.Logging.ILoggerProvider) && d.ImplementationFactory is not null).ToList())
                        services.Remove(d);
                    _alternativePipeline = RequestLogPipeline.Create(pipeline, _logDirectory);
                    services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(new ForwardingProvider(_alternativePipeline));
                });
            }
        });
        _factory = factory;
        // WebApplicationFactory finds each service's content root (its appsettings.json) through the
        // MvcTestingAppManifest.json it looks for in the current directory, which `dotnet run` leaves wherever it
        // was started: build the host from the output directory, then put the directory back for BenchmarkDotNet.
        var startedIn = Environment.CurrentDirectory;
        Environment.CurrentDirectory = AppContext.BaseDirectory;
        try
        {
            if (OverSocket)
            {
                factory.UseKestrel(options => options.Listen(System.Net.IPAddress.Loopback, 0));
                factory.StartServer();
                var address = factory.Services.BoundAddress();
                // Keep-alive connections, as many as requests in flight; no proxy, redirect or cookie handling.
                _client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = false })
                {
                    BaseAddress = address,
                };
            }
            else
            {
                // No redirect or cookie handlers: as little client as possible around the server's work.
                _client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
            }
        }
        finally
        {
            Environment.CurrentDirectory = startedIn;
        }
        _requests = 0;

        var status = GetOrderAsync().GetAwaiter().GetResult();
        if (status != 200) throw new InvalidOperationException($"{name}: GET {OrderUri} answered {status}, expected 200.");

        // The three hosts share the ASP.NET Core code, and in-process the first benchmark would pay for tiering it
        // up (tier 0, instrumented, tier 1) inside its own pilot and warm-up: warm every host up the same way first.
        var warmUpUntil = Stopwatch.GetTimestamp() + Stopwatch.Frequency * WarmUpSeconds;
        while (Stopwatch.GetTimestamp() < warmUpUntil) GetOrderAsync().GetAwaiter().GetResult();

        _droppedAtStart = Dropped(ReadLogFigures());
    }
}

/// <summary>Hands a host's loggers to a <see cref="RequestLogPipeline"/>'s own factory, which owns its library's provider.</summary>
internal sealed class ForwardingProvider(RequestLogPipeline pipeline) : Microsoft.Extensions.Logging.ILoggerProvider
{
    public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => pipeline.CreateLogger(categoryName);

    public void Dispose()
    {
    }
}
