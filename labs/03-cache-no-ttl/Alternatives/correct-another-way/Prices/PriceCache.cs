using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;

namespace Lab03.Prices;

/// <summary>
/// Prices already read from the store, by what a price depends on (SKU, currency, region), each served for at most
/// <c>Lab:CacheTtlSeconds</c> on the injected clock, and at most <c>Lab:CacheSizeLimit</c> of them: the oldest go first.
/// A hand-written cache rather than MemoryCache, to prove that the spec judges what the cache does, not which one it is.
/// </summary>
public sealed class PriceCache
{
    private readonly ConcurrentDictionary<PriceQuery, Entry> _entries = new();
    private readonly ConcurrentQueue<PriceQuery> _arrivals = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _ttl;
    private readonly int _limit;
    private long _hits, _misses, _evictions;

    public PriceCache(IOptions<LabOptions> options, TimeProvider time, IMeterFactory meterFactory)
    {
        _time = time;
        _ttl = TimeSpan.FromSeconds(options.Value.CacheTtlSeconds);
        _limit = options.Value.CacheSizeLimit;
        var meter = meterFactory.Create(PriceSource.MeterName);
        meter.CreateObservableGauge("price.cache.entries", () => _entries.Count, "{entry}", "Prices held in the cache.");
        meter.CreateObservableGauge("price.cache.capacity", () => _limit, "{entry}", "Prices the cache holds at most.");
        meter.CreateObservableCounter("price.cache.hits", () => Interlocked.Read(ref _hits), "{hit}", "Reads answered from the cache.");
        meter.CreateObservableCounter("price.cache.misses", () => Interlocked.Read(ref _misses), "{miss}", "Reads the cache could not answer.");
        meter.CreateObservableCounter("price.cache.evictions", () => Interlocked.Read(ref _evictions), "{entry}", "Prices dropped from the cache.");
    }

    public bool TryGet(PriceQuery query, [MaybeNullWhen(false)] out Price price)
    {
        if (_entries.TryGetValue(query, out var entry))
        {
            if (entry.Expires > _time.GetUtcNow())
            {
                Interlocked.Increment(ref _hits);
                price = entry.Price;
                return true;
            }
            if (_entries.TryRemove(new KeyValuePair<PriceQuery, Entry>(query, entry))) Interlocked.Increment(ref _evictions);
        }
        Interlocked.Increment(ref _misses);
        price = null;
        return false;
    }

    public void Set(PriceQuery query, Price price)
    {
        // One writer at a time: a count checked and then added to by two requests at once lets the cache pass its limit.
        lock (_writes)
        {
            // Oldest first: the arrival queue may name entries that have already gone (expired), which cost nothing.
            while (_entries.Count >= _limit && _arrivals.TryDequeue(out var oldest))
            {
                if (_entries.TryRemove(oldest, out _)) Interlocked.Increment(ref _evictions);
            }
            if (_entries.TryAdd(query, new Entry(price, _time.GetUtcNow() + _ttl))) _arrivals.Enqueue(query);
            else _entries[query] = new Entry(price, _time.GetUtcNow() + _ttl);
        }
    }

    private readonly Lock _writes = new();

    private sealed record Entry(Price Price, DateTimeOffset Expires);
}
