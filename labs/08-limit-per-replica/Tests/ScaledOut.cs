using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using System.Globalization;
using Lab08.Proxy;
using Workshop.ServiceKit;
using Workshop.TestKit;
using Workshop.Toolkit.Processes;
using Workshop.Toolkit.Prometheus;

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
        .. new[] { ("batch-job", BatchJobKey), ("web-shop", WebShopKey), ("partner", PartnerKey) }.Select(k =>
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

    /// <summary>A figure of each replica's /metrics (summed over labels; 0 when absent).</summary>
    public async Task<double[]> EachReplicaAsync(string metric)
    {
        var figures = new double[_replicas.Count];
        for (var i = 0; i < _replicas.Count; i++)
        {
            using var reader = new MetricsReader(_replicas[i].BaseAddress!);
            var snapshot = await reader.ScrapeAsync();
            figures[i] = snapshot.Contains(metric) ? snapshot.Sum(metric) : 0;
        }
        return figures;
    }

    /// <summary>True when the first replica's /metrics has the metric at all.</summary>
    public async Task<bool> ExportsAsync(string metric)
    {
        using var reader = new MetricsReader(_replicas[0].BaseAddress!);
        return (await reader.ScrapeAsync()).Contains(metric);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _proxy.StopAsync();
        await _proxy.DisposeAsync();
        foreach (var replica in _replicas) await replica.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
