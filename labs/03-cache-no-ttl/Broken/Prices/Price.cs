using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Lab03.Prices;

/// <summary>A product's price in one currency for one sales region, as the API answers it.</summary>
public sealed record Price(string Sku, string Currency, string Region, decimal Amount, DateTimeOffset UpdatedAt);

/// <summary>A new list price for a product, in euros for the EU region: the body of <c>PUT /api/prices/{sku}</c>.</summary>
public sealed record PriceChange(decimal? Amount);

/// <summary>A currency the shop sells in: what one euro of list price is worth in it, and its decimals. One instance per currency.</summary>
public sealed class Currency(string code, decimal rate, int decimals)
{
    public string Code { get; } = code;
    public decimal Rate { get; } = rate;
    public int Decimals { get; } = decimals;
}

/// <summary>A sales region and its price list, relative to the EU list price. One instance per region.</summary>
public sealed class Region(string code, decimal factor)
{
    public string Code { get; } = code;
    public decimal Factor { get; } = factor;
}

/// <summary>A price request once validated: the SKU, currency and region in their canonical spelling.</summary>
public sealed record PriceQuery(string Sku, Currency Currency, Region Region)
{
    public const string DefaultCurrency = "EUR";
    public const string DefaultRegion = "EU";

    public static readonly FrozenDictionary<string, Currency> Currencies = new Currency[]
    {
        new("EUR", 1.00m, 2), new("USD", 1.08m, 2), new("GBP", 0.85m, 2), new("CHF", 0.94m, 2), new("JPY", 162m, 0),
    }.ToFrozenDictionary(c => c.Code, StringComparer.OrdinalIgnoreCase);

    public static readonly FrozenDictionary<string, Region> Regions = new Region[]
    {
        new("EU", 1.00m), new("UK", 1.03m), new("US", 0.96m), new("APAC", 1.08m),
    }.ToFrozenDictionary(r => r.Code, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Validates a request: a SKU of the form <c>SKU-000042</c> (any case), a known currency and region (any case;
    /// EUR and EU when absent).
    /// </summary>
    public static bool TryCreate(string sku, string? currency, string? region,
        [NotNullWhen(true)] out PriceQuery? query, [NotNullWhen(false)] out Dictionary<string, string[]>? errors)
    {
        errors = null;
        query = null;
        if (!IsSku(sku)) (errors ??= [])["sku"] = ["A SKU reads SKU- and six digits, for example SKU-000042."];
        if (!Currencies.TryGetValue(currency ?? DefaultCurrency, out var c))
            (errors ??= [])["currency"] = [$"The currency is one of {string.Join(", ", Currencies.Keys.Order())}."];
        if (!Regions.TryGetValue(region ?? DefaultRegion, out var r))
            (errors ??= [])["region"] = [$"The region is one of {string.Join(", ", Regions.Keys.Order())}."];
        if (errors is not null) return false;

        query = new PriceQuery(sku.StartsWith("SKU-", StringComparison.Ordinal) ? sku : string.Concat("SKU-", sku.AsSpan(4)), c!, r!);
        return true;
    }

    /// <summary>The product number of a well-formed SKU: <c>SKU-000042</c> is 42.</summary>
    public static int ProductNumber(string sku) => int.Parse(sku.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture);

    private static bool IsSku(string sku) =>
        sku.Length == 10 && sku.StartsWith("SKU-", StringComparison.OrdinalIgnoreCase) && !sku.AsSpan(4).ContainsAnyExceptInRange('0', '9');
}
