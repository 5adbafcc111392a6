using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Internal;
using Microsoft.Extensions.Options;

namespace Lab03.Prices;

// half-fix: the TTL the incident's name asks for, keys made of what a price depends on, and the figures on /metrics,
// but no size limit: within the TTL, every distinct link is an entry, and a mail campaign sends tens of thousands.

/// <summary>The fixed cache's own settings (section <c>PriceCache</c>); the TTL and the size limit are incident knobs.</summary>
public sealed class PriceCacheOptions
{
    public const string Section = "PriceCache";

    /// <summary>A price nobody has asked for in this long leaves the cache before its TTL is up.</summary>
    public TimeSpan SlidingExpiration { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Prices already read from the store, kept for <see cref="LabOptions.CacheTtlSeconds"/> at most, keyed by the
/// validated SKU, currency and region.
/// </summary>
public sealed class PriceCache : IDisposable
{
    private readonly MemoryCache _cache;
    private readonly MemoryCacheEntryOptions _entry;
    private readonly Counter<long> _evictions;

    public PriceCache(IOptions<LabOptions> lab, IOptions<PriceCacheOptions> options, TimeProvider time, IMeterFactory meterFactory)
    {
        var limit = lab.Value.CacheSizeLimit;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit, "Lab:CacheSizeLimit");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(lab.Value.CacheTtlSeconds, "Lab:CacheTtlSeconds");
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.Value.SlidingExpiration, TimeSpan.Zero, "PriceCache:SlidingExpiration");

        _cache = new MemoryCache(new MemoryCacheOptions
        {
            Clock = new TimeProviderClock(time),
            TrackStatistics = true,
        });
        _entry = new MemoryCacheEntryOptions
        {
            AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(lab.Value.CacheTtlSeconds),
            SlidingExpiration = options.Value.SlidingExpiration,
        }.RegisterPostEvictionCallback(static (_, _, reason, state) => ((PriceCache)state!).Evicted(reason), this);

        var meter = meterFactory.Create(PriceSource.MeterName);
        meter.CreateObservableCounter("price.cache.hits", () => _cache.GetCurrentStatistics()?.TotalHits ?? 0, "{hit}", "Price reads answered from the cache.");
        meter.CreateObservableCounter("price.cache.misses", () => _cache.GetCurrentStatistics()?.TotalMisses ?? 0, "{miss}", "Price reads the cache could not answer.");
        meter.CreateObservableGauge("price.cache.entries", () => _cache.Count, "{entry}", "Prices held in the cache.");
        meter.CreateObservableGauge("price.cache.capacity", () => limit, "{entry}", "Prices the cache holds at most.");
        _evictions = meter.CreateCounter<long>("price.cache.evictions", "{entry}", "Prices dropped from the cache, by reason: capacity or expired.");
    }

    public bool TryGet(PriceQuery query, [MaybeNullWhen(false)] out Price price) => _cache.TryGetValue(query, out price);

    public void Set(PriceQuery query, Price price) => _cache.Set(query, price, _entry);

    public void Dispose() => _cache.Dispose();

    private void Evicted(EvictionReason reason)
    {
        // Replaced and Removed are the cache's own bookkeeping, not a price it had to give up.
        if (reason is EvictionReason.Capacity) _evictions.Add(1, new KeyValuePair<string, object?>("reason", "capacity"));
        else if (reason is EvictionReason.Expired or EvictionReason.TokenExpired) _evictions.Add(1, new KeyValuePair<string, object?>("reason", "expired"));
    }

    /// <summary>
    /// MemoryCache in .NET 10 reads time from an <see cref="ISystemClock"/>, not a <see cref="TimeProvider"/>
    /// (dotnet/runtime#114011): this adapter lets the TimeProvider from DI, a fake one in tests, drive expiration.
    /// </summary>
    private sealed class TimeProviderClock(TimeProvider time) : ISystemClock
    {
        public DateTimeOffset UtcNow => time.GetUtcNow();
    }
}

public static class PriceCacheExtensions
{
    public static WebApplicationBuilder AddPriceCache(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<PriceCacheOptions>(builder.Configuration.GetSection(PriceCacheOptions.Section));
        builder.Services.AddSingleton<PriceCache>();
        return builder;
    }
}
