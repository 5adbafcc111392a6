using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using FluentAssertions;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Workshop.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Lab03.Tests;

/// <summary>
/// The price cache must let a changed price through once its TTL is up, must treat requests for the same price
/// as one key, and must report what it does on /metrics, while still sparing the store repeated reads.
/// </summary>
/// <remarks>
/// Each test reads its own products: the broken cache is a static dictionary, shared by every service the test
/// process starts.
/// </remarks>
public sealed class PriceCacheSpec(ITestOutputHelper output)
{
    private const int TtlSeconds = 60;

    [Incident("broken")]
    public async Task ChangedPrice_AfterTheTtlHasPassed_IsServed(LabTarget target)
    {
        // Arrange: time is the test's; the store answers at once; prices may be served for 60 s.
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 3, 3, 9, 0, 0, TimeSpan.Zero));
        await using var app = target.Start(b => b.ConfigureServices(s => s.AddSingleton<TimeProvider>(time)),
            ("Lab:SourceLatencyMs", "0"), ("Lab:CacheTtlSeconds", $"{TtlSeconds}"));
        using var client = app.CreateClient();
        const string sku = "SKU-130001", url = "/api/prices/" + sku;
        var old = await client.GetPriceAsync(url);
        var changed = old.Amount + 10m;
        await client.SetListPriceAsync(sku, changed);

        // Act: read it again once the TTL is up, an hour later and a day later.
        var served = new List<(TimeSpan After, decimal Amount)>();
        var elapsed = TimeSpan.Zero;
        foreach (var step in new[] { TimeSpan.FromSeconds(TtlSeconds + 1), TimeSpan.FromHours(1), TimeSpan.FromDays(1) })
        {
            time.Advance(step);
            elapsed += step;
            served.Add((elapsed, (await client.GetPriceAsync(url)).Amount));
        }
        output.WriteLine(string.Join("; ", served.Select(s => $"after {s.After}: {s.Amount}")));

        // Assert
        var stale = served.Where(s => s.Amount != changed).ToList();
        Symptom.Absent(stale.Count == 0,
            $"the price of {sku} changed at the store from {old.Amount} to {changed}, and {stale.Count} of {served.Count} later reads " +
            $"({string.Join(", ", stale.Select(s => $"{Age(s.After)} later"))}) still served the old one; expected every read after the {TtlSeconds} s TTL to serve the new price.");
    }

    [Incident("broken")]
    public async Task EquivalentRequests_DifferingInCaseOrderOrTracking_ShareOneEntry(LabTarget target)
    {
        // Arrange: one price (SKU-140001 in euros for the EU), asked for in ten spellings.
        await using var app = target.Start(("Lab:SourceLatencyMs", "0"));
        using var client = app.CreateClient();
        string[] spellings =
        [
            "/api/prices/SKU-140001",
            "/api/prices/sku-140001",
            "/api/prices/Sku-140001?currency=EUR",
            "/api/prices/SKU-140001?currency=eur&region=eu",
            "/api/prices/SKU-140001?region=EU&currency=EUR",
            "/api/prices/SKU-140001?Currency=EUR&Region=EU",
            "/api/prices/SKU-140001?utm_source=newsletter",
            "/api/prices/SKU-140001?currency=EUR&utm_source=newsletter&utm_medium=email",
            "/api/prices/SKU-140001?utm_campaign=spring-sale&region=EU&currency=EUR",
            "/api/prices/sku-140001?region=eu&utm_content=banner&currency=Eur&utm_term=prices",
        ];
        var callsBefore = await ServiceMetrics.ReadAsync(client, "price_source_calls_total") ?? 0;
        var entriesBefore = await ServiceMetrics.ReadAsync(client, "price_cache_entries") ?? 0;

        // Act
        var answers = new List<PriceDto>();
        foreach (var url in spellings) answers.Add(await client.GetPriceAsync(url));
        var calls = (await ServiceMetrics.ReadAsync(client, "price_source_calls_total") ?? 0) - callsBefore;
        var entries = (await ServiceMetrics.ReadAsync(client, "price_cache_entries") ?? 0) - entriesBefore;

        // Assert
        answers.Select(a => (a.Sku, a.Currency, a.Region, a.Amount)).Distinct().Should().ContainSingle("the ten spellings ask for one price");
        Symptom.Absent(calls == 1,
            $"{spellings.Length} requests for one price, differing only in case, parameter order and utm_* parameters, read the store {calls} times " +
            $"and added {entries} cache entries; expected one read and one entry.");
    }

    [Incident("broken")]
    public async Task CacheFigures_AfterHitsAndMisses_AreOnMetrics(LabTarget target)
    {
        // Arrange
        await using var app = target.Start(("Lab:SourceLatencyMs", "0"), ("Lab:CacheSizeLimit", "500"));
        using var client = app.CreateClient();

        // Act: two prices, the first one read three times: two misses, two hits, two entries.
        await client.GetPriceAsync("/api/prices/SKU-170001");
        await client.GetPriceAsync("/api/prices/SKU-170001");
        await client.GetPriceAsync("/api/prices/SKU-170001");
        await client.GetPriceAsync("/api/prices/SKU-170002");
        var hits = await ServiceMetrics.ReadAsync(client, "price_cache_hits_total");
        var misses = await ServiceMetrics.ReadAsync(client, "price_cache_misses_total");
        var entries = await ServiceMetrics.ReadAsync(client, "price_cache_entries");
        var capacity = await ServiceMetrics.ReadAsync(client, "price_cache_capacity");
        var figures = $"price_cache_hits_total {PriceApi.Show(hits)}, price_cache_misses_total {PriceApi.Show(misses)}, " +
                      $"price_cache_entries {PriceApi.Show(entries)}, price_cache_capacity {PriceApi.Show(capacity)}";
        output.WriteLine(figures);

        // Assert
        Symptom.Absent((hits, misses, entries, capacity) == (2, 2, 2, 500),
            $"after 2 misses and 2 hits on 2 prices with room for 500, /metrics shows {figures}; expected 2, 2, 2 and 500.");
    }

    [Guard("deletes-the-feature")]
    public async Task HotKey_ReadRepeatedlyWithinTheTtl_CallsTheSourceOnce(LabTarget target)
    {
        // Arrange
        await using var app = target.Start(("Lab:SourceLatencyMs", "0"));
        using var client = app.CreateClient();
        const string url = "/api/prices/SKU-150001?currency=USD&region=US";
        var callsBefore = await ServiceMetrics.ReadAsync(client, "price_source_calls_total") ?? 0;

        // Act
        var answers = new List<PriceDto>();
        for (var i = 0; i < 50; i++) answers.Add(await client.GetPriceAsync(url));
        var calls = (await ServiceMetrics.ReadAsync(client, "price_source_calls_total") ?? 0) - callsBefore;

        // Assert
        answers.Distinct().Should().ContainSingle("the price did not change between the reads");
        calls.Should().Be(1, "50 reads of one price within its TTL are one read at the store and 49 answers from the cache, but the store was read {0} times", calls);
    }

    [Guard]
    public async Task Prices_ReadThroughTheCache_MatchTheRequest(LabTarget target)
    {
        // Arrange: a known list price of 100.00 EUR for the EU, set before anything is cached.
        await using var app = target.Start(("Lab:SourceLatencyMs", "0"));
        using var client = app.CreateClient();
        await client.SetListPriceAsync("SKU-160001", 100.00m);
        (string Url, string Sku, string Currency, string Region, decimal Amount)[] expected =
        [
            ("/api/prices/SKU-160001", "SKU-160001", "EUR", "EU", 100.00m),
            ("/api/prices/SKU-160001?currency=USD", "SKU-160001", "USD", "EU", 108.00m),
            ("/api/prices/SKU-160001?currency=USD&region=US", "SKU-160001", "USD", "US", 103.68m),
            ("/api/prices/SKU-160001?currency=JPY&region=APAC", "SKU-160001", "JPY", "APAC", 17_496m),
            ("/api/prices/SKU-160001?currency=GBP&region=UK", "SKU-160001", "GBP", "UK", 87.55m),
        ];

        // Act: each one twice, the second time from the cache.
        var first = new List<PriceDto>();
        var second = new List<PriceDto>();
        foreach (var e in expected) first.Add(await client.GetPriceAsync(e.Url));
        foreach (var e in expected) second.Add(await client.GetPriceAsync(e.Url));
        var other = await client.GetPriceAsync("/api/prices/SKU-160002");

        // Assert: no key stands for another price.
        for (var i = 0; i < expected.Length; i++)
        {
            var e = expected[i];
            (first[i].Sku, first[i].Currency, first[i].Region, first[i].Amount).Should().Be((e.Sku, e.Currency, e.Region, e.Amount), "GET {0}", e.Url);
            second[i].Should().Be(first[i], "GET {0} from the cache answers what the store answered", e.Url);
        }
        other.Sku.Should().Be("SKU-160002");
        other.Amount.Should().NotBe(100.00m, "SKU-160002 keeps its own list price");
    }

    [Guard]
    public async Task BadInput_GetsProblemDetails(LabTarget target)
    {
        // Arrange
        await using var app = target.Start(("Lab:SourceLatencyMs", "0"));
        using var client = app.CreateClient();

        // Act
        var responses = new (HttpResponseMessage Response, int Status)[]
        {
            (await client.GetAsync("/api/prices/not-a-sku"), 400),
            (await client.GetAsync("/api/prices/SKU-000042?currency=XXX"), 400),
            (await client.GetAsync("/api/prices/SKU-000042?region=MARS"), 400),
            (await client.GetAsync("/api/prices/SKU-999999"), 404),
            (await client.PutAsJsonAsync("/api/prices/SKU-000042", new { amount = -5 }), 400),
            (await client.PutAsJsonAsync("/api/prices/SKU-000042", new { amount = 1e12 }), 400),
            (await client.PutAsJsonAsync("/api/prices/SKU-999999", new { amount = 5 }), 404),
            (await client.PutAsync("/api/prices/SKU-000042", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json")), 400),
            (await client.PutAsync("/api/prices/SKU-000042", new StringContent("amount=5", System.Text.Encoding.UTF8, "text/plain")), 415),
        };

        // Assert
        ProblemAnswers.ShouldAllBe(responses);
    }

    private static string Age(TimeSpan t) =>
        t.TotalDays >= 1 ? $"{t.TotalDays:0.#} day{(t.TotalDays >= 2 ? "s" : "")}" : t.TotalHours >= 1 ? $"{t.TotalHours:0.#} h" : $"{t.TotalSeconds:N0} s";
}
