using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using System.Globalization;
using Lab08.Proxy;
using Workshop.ServiceKit;
using Workshop.TestKit;
using Workshop.Toolkit.Processes;

namespace Lab08.Tests;

/// <summary>
/// The service as production ran it: three replicas of the variant under test, each on Kestrel on its own loopback
/// port, behind the lab's YARP proxy (round robin), with a real Redis server they can share (Broken never asks it).
/// </summary>
internal sealed class ScaledOut : IAsyncDisposable
{
    public const int Replicas = 3;

    /// <summary>The demo keys of Fixed's appsettings (public by design: they guard nothing but this lab).</summary>
    public const string BatchJobKey = "lab08-batch-job-key", WebShopKey = "lab08-web-shop-key", PartnerKey = "lab08-partner-key";

    // The callers' keys, hashed as a deployment stores them: set on every variant (Broken reads none).
    private static readonly (string, string)[] ApiKeys =
    [
        .. new[] { ("batch-job", BatchJobKey), ("web-shop", WebShopKey), ("partner", PartnerKey) }
            .Concat(Enumerable.Range(1, Probes).Select(i => ($"probe-{i}", ProbeKey(i)))).Select(k =>
            ($"Lab:ApiKeys:{k.Item1}", Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(k.Item2))))),
    ];

    private readonly List<LabApp> _replicas;
    private readonly WebApplication _proxy;

    private ScaledOut(RedisServer redis, List<LabApp> replicas, WebApplication proxy, Uri address)
    {
        Redis = redis;
        _replicas = replicas;
        _proxy = proxy;
        Client = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 64 }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>Callers the spec may bring in fresh, each with a full bucket: probe-1 to probe-20.</summary>
    public const int Probes = 20;

    /// <summary>The key of caller probe-<paramref name="i"/>.</summary>
    public static string ProbeKey(int i) => $"lab08-probe-{i}-key";

    /// <summary>The service's own meter, in every variant.</summary>
    public const string MeterName = "Lab08.Users";

    public RedisServer Redis { get; }

    /// <summary>A client of the proxy, as every caller sees the service.</summary>
    public HttpClient Client { get; }

    /// <summary>Starts Redis, three replicas of <paramref name="target"/> with the knobs given (and Redis's address), and the proxy.</summary>
    public static async Task<ScaledOut> StartAsync(LabTarget target, params (string Key, string Value)[] knobs)
    {
        var redis = await RedisServer.StartAsync();
        var replicas = new List<LabApp>();
        try
        {
            for (var i = 0; i < Replicas; i++)
            {
                replicas.Add(target.StartOnKestrel([.. knobs, .. ApiKeys, ("Lab:Redis", redis.Endpoint), ("Lab:Replicas", Replicas.ToString(CultureInfo.InvariantCulture))]));
            }
            var proxy = ProxyApp.Create(["--urls", "http://127.0.0.1:0"], builder =>
            {
                builder.Configuration[ProxyApp.ReplicasKey] = string.Join(',', replicas.Select(r => r.BaseAddress!.ToString().TrimEnd('/')));
                builder.Logging.ClearProviders();
            });
            await proxy.StartAsync();
            return new ScaledOut(redis, replicas, proxy, proxy.Services.BoundAddress());
        }
        catch
        {
            foreach (var replica in replicas) await replica.DisposeAsync();
            await redis.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// <paramref name="count"/> lookups through the proxy, <paramref name="concurrency"/> at a time, each with the API
    /// key and the client id the function gives for request i; the status codes answered, by code.
    /// </summary>
    public async Task<Dictionary<int, int>> FloodAsync(int count, int concurrency, Func<int, (string? Key, string ClientId)> caller)
    {
        var statuses = new int[count];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            for (int i; (i = Interlocked.Increment(ref next)) < count;)
            {
                var (key, clientId) = caller(i);
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/users/{1 + i % 9}");
                if (key is not null) request.Headers.Add("X-Api-Key", key);
                request.Headers.Add("X-Client-Id", clientId);
                using var response = await Client.SendAsync(request);
                statuses[i] = (int)response.StatusCode;
            }
        }));
        return statuses.GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());
    }

    /// <summary>
    /// Collects one of the service's instruments (meter <c>Lab08.Users</c>) in each replica apart: the replicas share this
    /// test process, where every host's /metrics would show every host's instruments of the same meter, so each
    /// collector listens to the meters of one host's <see cref="IMeterFactory"/> only.
    /// </summary>
    public MetricCollector<long>[] Collect(string instrument) =>
        [.. _replicas.Select(r => new MetricCollector<long>(r.Services.GetRequiredService<IMeterFactory>(), MeterName, instrument))];

    /// <summary>The sum of each collector's measurements so far.</summary>
    public static long[] Totals(MetricCollector<long>[] collectors) =>
        [.. collectors.Select(c => c.GetMeasurementSnapshot().Sum(m => m.Value))];

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _proxy.StopAsync();
        await _proxy.DisposeAsync();
        foreach (var replica in _replicas) await replica.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
