using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

using Workshop.Toolkit.Repository;
using Workshop.ServiceKit;

namespace Workshop.TestKit;

/// <summary>
/// A lab service running in-process with its knobs set for one test: on a TestServer (no sockets), or on Kestrel on a
/// loopback port where the incident lives in sockets (<see cref="LabTarget.StartOnKestrel(ValueTuple{string, string}[])"/>).
/// </summary>
public sealed class LabApp : IAsyncDisposable
{
    private readonly ILabFactory _factory;
    private StrongBox<bool>? _verdict;

    private LabApp(LabTarget target, ILabFactory factory)
    {
        Target = target;
        _factory = factory;
    }

    public LabTarget Target { get; }

    /// <summary>How long stopping waits for requests still in the pipeline.</summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(2);

    // One box per test (created by the test's first Start, so its async flow and no other test's sees it): set when the
    // test has found its symptom, after which waiting for the requests stuck behind it would only delay the verdict.
    private static readonly AsyncLocal<StrongBox<bool>?> Verdict = new();

    /// <summary>Called by <see cref="Symptom"/> when it fails the test: the service apps of this test stop without draining.</summary>
    internal static void SymptomSeen()
    {
        if (Verdict.Value is { } box) box.Value = true;
    }

    public IServiceProvider Services => _factory.Services;

    /// <summary>Where Kestrel listens (<c>http://127.0.0.1:PORT/</c>); null on a TestServer.</summary>
    public Uri? BaseAddress { get; private set; }

    internal static LabApp Start(LabTarget target, IReadOnlyList<(string Key, string Value)> settings, Action<IWebHostBuilder>? configure, bool kestrel = false)
    {
        var factoryType = typeof(LabFactory<>).MakeGenericType(target.Marker);
        // Every variant of a spec gets the same knobs; the service is told which of them its lab's other variants read.
        if (LabOf(target) is { } lab) settings = [(LabInfo.OtherVariantsKnobsKey, lab.KnobsOfAnyVariant()), .. settings];
        var factory = (ILabFactory)Activator.CreateInstance(factoryType, settings, target.ContentRoot, configure)!;
        var app = new LabApp(target, factory);
        Verdict.Value ??= new StrongBox<bool>();
        app._verdict = Verdict.Value;
        if (kestrel)
        {
            factory.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
            factory.StartServer();
            app.BaseAddress = factory.Services.BoundAddress();
        }
        _ = factory.Services; // start the host now, so a broken start fails here and not inside the measurement
        return app;
    }

    /// <summary>
    /// A client for the service; requests time out after <paramref name="timeout"/> (default 30 s). On Kestrel it is a
    /// real HTTP client on its own connections, at most <paramref name="maxConnections"/> of them.
    /// </summary>
    public HttpClient CreateClient(TimeSpan? timeout = null, int maxConnections = 64)
    {
        if (BaseAddress is { } address)
        {
            return new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = maxConnections, UseProxy = false, AllowAutoRedirect = false })
            {
                BaseAddress = address,
                Timeout = timeout ?? TimeSpan.FromSeconds(30),
            };
        }
        var client = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.Timeout = timeout ?? TimeSpan.FromSeconds(30);
        return client;
    }

    // The lab a variant belongs to, by its assembly's name (Lab06.Broken, Lab06.HalfFix); null outside a lab.
    private static LabInfo? LabOf(LabTarget target) =>
        target.Marker.Assembly.GetName().Name is { Length: >= 5 } name && name.StartsWith("Lab", StringComparison.Ordinal) && char.IsAsciiDigit(name[3]) && char.IsAsciiDigit(name[4])
            ? Labs.All().FirstOrDefault(l => l.Id == name[3..5])
            : null;

    /// <summary>
    /// Waits until no request is inside the service's pipeline (the service's own middleware included, and requests a
    /// client gave up on, which unwind after the client has moved on), at most <paramref name="timeout"/>.
    /// </summary>
    /// <returns>False when requests were still inside when the time ran out.</returns>
    public Task<bool> IdleAsync(TimeSpan timeout) =>
        (_factory.Services.GetService(typeof(InFlightRequests)) as InFlightRequests)?.DrainedAsync(timeout)
        ?? throw new InvalidOperationException("The service was started without the test kit's request counter.");

    /// <summary>
    /// Stops the service as Kestrel does on SIGTERM: fires the application-stopping token first, then waits for the
    /// requests still inside the pipeline (a client has its response before the middleware after <c>next</c> has run,
    /// and a request cut short by the shutdown needs a moment to unwind), then stops the host.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        // A request still stuck after this long (a broken service behind its lock, a stalled fake) is left to the
        // host's own shutdown: a red spec must answer quickly, not wait out every queued request; once the symptom has
        // failed the test, nothing is waited for.
        // Resolved first: once the stopping token fires, a minimal-hosting app's Run() returns and its services go.
        var inFlight = _factory.Services.GetService(typeof(InFlightRequests)) as InFlightRequests;
        _factory.Services.GetService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>()?.StopApplication();
        if (inFlight is not null && _verdict?.Value != true)
        {
            await inFlight.DrainedAsync(DrainTimeout).ConfigureAwait(false);
        }
        await _factory.DisposeAsync().ConfigureAwait(false);
    }

    private interface ILabFactory : IAsyncDisposable
    {
        IServiceProvider Services { get; }
        HttpClient CreateClient(WebApplicationFactoryClientOptions options);
        void UseKestrel(Action<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions> configure);
        void StartServer();
    }

    private sealed class LabFactory<TMarker>(IReadOnlyList<(string Key, string Value)> settings, string? contentRoot, Action<IWebHostBuilder>? configure)
        : WebApplicationFactory<TMarker>, ILabFactory where TMarker : class
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            if (contentRoot is not null) builder.UseContentRoot(contentRoot);
            builder.ConfigureServices(services => services.AddSingleton<InFlightRequests>().AddTransient<IStartupFilter, InFlightRequests.Filter>());
            foreach (var (key, value) in settings) builder.UseSetting(key, value);
            configure?.Invoke(builder);
        }
    }
}
