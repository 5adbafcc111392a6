extern alias broken;

using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Lab03.Prices;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using BrokenCache = broken::Lab03.Prices.PriceCache;
using BrokenQuery = broken::Lab03.Prices.PriceQuery;
using BrokenPrice = broken::Lab03.Prices.Price;

namespace Lab03.Benchmarks;

/// <summary>
/// One cache hit: the work each service does to answer <c>GET /api/prices/SKU-004217?currency=USD&amp;region=US</c>
/// from its cache, with 10,000 prices cached. Broken builds its key from the raw path and query and looks it up in
/// a <c>ConcurrentDictionary</c>; Fixed looks up the validated query in a size-limited <c>MemoryCache</c> with
/// absolute and sliding expiration, statistics on and the clock read through a <c>TimeProvider</c>.
/// </summary>
/// <remarks>
/// Two groups: <c>lookup</c> is the cache's part alone; <c>request</c> adds the validation both services run
/// before the lookup (the fixed key is that validation's result, so this is the whole hit path of each, short of
/// ASP.NET Core's routing and JSON). Each group's baseline is Broken.
/// </remarks>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class CacheHitBenchmarks
{
    private const int Cached = 10_000;
    private const string Sku = "SKU-004217";
    private const string Currency = "USD";
    private const string Region = "US";

    private HttpRequest _request = null!;
    private PriceQuery _query = null!;
    private PriceCache _fixed = null!;
    private ServiceProvider _services = null!;

    [GlobalSetup]
    public void Setup()
    {
        // Broken: its static dictionary, filled through its own Set with 10,000 distinct requests.
        for (var i = 1; i <= Cached; i++)
        {
            var request = Request($"SKU-{i:D6}", $"?currency={Currency}&region={Region}");
            BrokenCache.Set(request, new BrokenPrice($"SKU-{i:D6}", Currency, Region, i, DateTimeOffset.UtcNow));
        }
        _request = Request(Sku, $"?currency={Currency}&region={Region}");

        // Fixed: its cache, as the service builds it (room for 20,000 prices, 300 s TTL, 60 s sliding), on the system clock.
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        _fixed = new PriceCache(
            Options.Create(new LabOptions { CacheSizeLimit = 2 * Cached, CacheTtlSeconds = 300 }),
            Options.Create(new PriceCacheOptions { SlidingExpiration = TimeSpan.FromMinutes(1) }),
            TimeProvider.System,
            _services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        for (var i = 1; i <= Cached; i++)
        {
            PriceQuery.TryCreate($"SKU-{i:D6}", Currency, Region, out var q, out _);
            _fixed.Set(q!, new Price(q!.Sku, Currency, Region, i, DateTimeOffset.UtcNow));
        }
        PriceQuery.TryCreate(Sku, Currency, Region, out var query, out _);
        _query = query!;

        if (!BrokenCache.TryGet(_request, out _) || !_fixed.TryGet(_query, out _))
            throw new InvalidOperationException("The benchmarked request must be a hit in both caches.");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _fixed.Dispose();
        _services.Dispose();
    }

    /// <summary>Broken's lookup: the key is <c>Request.Path + Request.QueryString</c>, a new string per request.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("lookup")]
    public BrokenPrice? BrokenLookup() => BrokenCache.TryGet(_request, out var price) ? price : null;

    /// <summary>Fixed's lookup: the validated query is the key.</summary>
    [Benchmark, BenchmarkCategory("lookup")]
    public Price? FixedLookup() => _fixed.TryGet(_query, out var price) ? price : null;

    /// <summary>Broken's hit path: validate the request (as the endpoint does), then look the raw URL up.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("request")]
    public BrokenPrice? BrokenRequest() =>
        BrokenQuery.TryCreate(Sku, Currency, Region, out _, out _) && BrokenCache.TryGet(_request, out var price) ? price : null;

    /// <summary>Fixed's hit path: validate the request, then look its canonical query up.</summary>
    [Benchmark, BenchmarkCategory("request")]
    public Price? FixedRequest() =>
        PriceQuery.TryCreate(Sku, Currency, Region, out var query, out _) && _fixed.TryGet(query, out var price) ? price : null;

    private static HttpRequest Request(string sku, string query)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = "/api/prices/" + sku;
        context.Request.QueryString = new QueryString(query);
        return context.Request;
    }
}
