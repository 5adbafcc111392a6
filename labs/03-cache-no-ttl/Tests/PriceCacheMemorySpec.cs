using System.Diagnostics;
using FluentAssertions;
using FluentAssertions.Execution;
using Workshop.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Lab03.Tests;

/// <summary>However many distinct requests arrive, the cache holds at most its limit, and the heap stays flat.</summary>
[Collection(RunsAlone.Name)]
public sealed class PriceCacheMemorySpec(ITestOutputHelper output)
{
    private const int Limit = 500;
    private const int Requests = 40_000;
    private const int Step = 5_000;
    private const int Products = 20_000;
    private const int InFlight = 8;
    private const long BoundBytes = 3 * 1024 * 1024;

    [Incident("broken", "half-fix")]
    public async Task Memory_UnderTensOfThousandsOfDistinctKeys_StaysWithinTheCacheLimit(LabTarget target)
    {
        // Arrange: room for 500 prices; the first 2,000 requests fill the cache and warm the service up.
        await using var app = target.Start(("Lab:SourceLatencyMs", "0"), ("Lab:CacheSizeLimit", $"{Limit}"));
        using var client = app.CreateClient();
        await SprayAsync(client, 0, 2_000);
        var entriesBefore = await ServiceMetrics.ReadAsync(client, "price_cache_entries") ?? 0;
        var before = Memory.RetainedBytes();

        // Act: 40,000 requests for 20,000 products, each link with its own campaign id, as a mail campaign sends them, in
        // steps of 5,000. A cache past its limit after a step has answered (one entry per link holds 7,000 there, 14x the
        // limit), so a red service stops early and a green one is held at every step.
        var clock = Stopwatch.StartNew();
        var sent = 0;
        double? entries = 0;
        while (sent < Requests && entries <= Limit)
        {
            var step = Math.Min(Step, Requests - sent);
            await SprayAsync(client, 2_000 + sent, step);
            sent += step;
            entries = await ServiceMetrics.ReadAsync(client, "price_cache_entries");
        }
        var grown = Memory.RetainedBytes() - before;
        // Evictions are counted shortly after the fact; a cache past its limit has answered without them.
        var evictions = entries <= Limit ? await EvictionsAsync(client) : await ServiceMetrics.ReadAsync(client, "price_cache_evictions_total");
        output.WriteLine($"{sent:N0} requests in {clock.Elapsed.TotalSeconds:0.0} s; retained heap grew by {Memory.Megabytes(grown)}; " +
                         $"price_cache_entries {PriceApi.Show(entriesBefore)} -> {PriceApi.Show(entries)}; price_cache_evictions_total {PriceApi.Show(evictions)}");

        // Assert
        Symptom.Absent(entries <= Limit && grown < BoundBytes && evictions > 0,
            $"after {sent:N0} requests for {Products:N0} products the cache holds {PriceApi.Show(entries)} entries (limit {Limit:N0}), the retained heap grew by " +
            $"{Memory.Megabytes(grown)} (bound {Memory.Megabytes(BoundBytes)}) and price_cache_evictions_total reads {PriceApi.Show(evictions)}; expected at most the limit, " +
            "under the bound, and the evictions counted.");
    }

    private static Task SprayAsync(HttpClient client, int from, int count) =>
        RequestFlow.SendAsync(count, InFlight, (n, ct) =>
        {
            var i = from + n;
            var product = 1 + (int)(i * 7_919L % Products);
            return client.GetAsync(
                $"/api/prices/sku-{product:D6}?currency=EUR&utm_source=newsletter&utm_medium=email&utm_campaign=spring-sale-2025&utm_content=hero-banner&utm_id={i:D8}", ct);
        });

    // Evictions are counted by callbacks the cache runs on the thread pool, shortly after the fact: give them a moment.
    private static async Task<double?> EvictionsAsync(HttpClient client)
    {
        var deadline = Stopwatch.StartNew();
        double? evictions;
        while ((evictions = await ServiceMetrics.ReadAsync(client, "price_cache_evictions_total")) is null or 0 && deadline.Elapsed < TimeSpan.FromSeconds(5))
            await Task.Delay(50);
        return evictions;
    }
}
