using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;

namespace Lab03.Prices;

/// <summary>
/// The price store: the catalogue's list prices and the changes the pricing team makes to them. It stands in for a
/// database across the network, so every read and write takes <see cref="LabOptions.SourceLatencyMs"/>.
/// </summary>
public sealed class PriceSource
{
    public const string MeterName = "Lab03.Prices";

    /// <summary>Products in the catalogue: SKU-000001 to SKU-200000.</summary>
    public const int CatalogueSize = 200_000;

    private readonly ConcurrentDictionary<int, (decimal Amount, DateTimeOffset UpdatedAt)> _changes = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _latency;
    private readonly DateTimeOffset _listedAt;
    private readonly Counter<long> _reads;

    public PriceSource(IOptions<LabOptions> options, TimeProvider time, IMeterFactory meterFactory)
    {
        _time = time;
        _latency = TimeSpan.FromMilliseconds(Math.Max(0, options.Value.SourceLatencyMs));
        _listedAt = time.GetUtcNow();
        _reads = meterFactory.Create(MeterName).CreateCounter<long>("price.source.calls", "{call}", "Price reads sent to the price store.");
    }

    /// <summary>The price of a product in a currency and region, or null when the catalogue has no such product.</summary>
    public async Task<Price?> GetAsync(string sku, Currency currency, Region region, CancellationToken ct)
    {
        _reads.Add(1);
        await Task.Delay(_latency, _time, ct);
        var product = PriceQuery.ProductNumber(sku);
        if (product is < 1 or > CatalogueSize) return null;

        var (listPrice, updatedAt) = _changes.TryGetValue(product, out var change) ? change : (ListPrice(product), _listedAt);
        var amount = Math.Round(listPrice * currency.Rate * region.Factor, currency.Decimals, MidpointRounding.AwayFromZero);
        return new Price(sku, currency.Code, region.Code, amount, updatedAt);
    }

    /// <summary>Changes a product's list price (euros, EU region); false when the catalogue has no such product.</summary>
    public async Task<bool> SetAsync(string sku, decimal amount, CancellationToken ct)
    {
        await Task.Delay(_latency, _time, ct);
        var product = PriceQuery.ProductNumber(sku);
        if (product is < 1 or > CatalogueSize) return false;
        _changes[product] = (amount, _time.GetUtcNow());
        return true;
    }

    // The catalogue's list prices, from 5.00 to 999.99 euros, spread over the product numbers.
    private static decimal ListPrice(int product) => 5m + (product * 7_919L % 99_500) / 100m;
}
