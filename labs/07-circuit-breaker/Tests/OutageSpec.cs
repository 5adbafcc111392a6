using System.Globalization;
using System.Net;
using FluentAssertions;
using Workshop.TestKit;
using Workshop.Toolkit;
using Xunit;
using Xunit.Abstractions;

namespace Lab07.Tests;

/// <summary>
/// A payment provider that hangs must cost the shop a few checkouts' worth of waiting, not its whole capacity: once it
/// is plainly down, checkout answers at once with a degraded answer, and the catalog and the health check, which never
/// call the provider, keep their latency. Real sockets and real time: the shop on Kestrel, the provider a fake in its
/// own process that takes requests and never answers.
/// </summary>
public sealed class OutageSpec(ITestOutputHelper output)
{
    private const int PaymentTimeoutMs = 1_000;
    private const int AttemptTimeoutMs = 100;

    /// <summary>
    /// What an answer that did not wait on the provider stays under: 300 ms, under a third of the payment timeout. Fixed
    /// answers in 2-20 ms and Broken in about 3,760, so both sides keep 12x, and a busy machine's pause of a few hundred
    /// milliseconds does not turn Fixed red.
    /// </summary>
    private const int QuickMs = 300;

    private static (string, string)[] Knobs(Downstream provider, params (string, string)[] more) => Shop.Settings(provider,
        [("Lab:PaymentTimeoutMs", $"{PaymentTimeoutMs}"), ("Lab:AttemptTimeoutMs", $"{AttemptTimeoutMs}"), ("Lab:BreakDurationSeconds", "30"), .. more]);

    [Incident("broken")]
    public async Task Checkout_OnceTheHungProviderHasFailedSixCheckouts_AnswersWithoutWaiting(LabTarget target)
    {
        // Arrange: the provider takes every call and never answers.
        await using var provider = await DownstreamFake.StartAsync(DownstreamBehaviour.Hang);
        await using var app = target.StartOnKestrel(Knobs(provider));
        using var client = app.CreateClient(TimeSpan.FromSeconds(60));
        var first = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Shop.CheckoutAsync(client)));
        var callsBefore = await provider.RequestsAsync();

        // Act: four more customers check out.
        var next = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Shop.CheckoutAsync(client)));
        var calls = await provider.RequestsAsync() - callsBefore;
        output.WriteLine($"first 6: {string.Join(", ", first.Select(a => a.ToString()))}; next 4: {string.Join(", ", next.Select(a => a.ToString()))}; {calls} calls to the provider");

        // Assert
        var slowest = next.Max(a => a.Took);
        Symptom.AtMost(slowest.TotalMilliseconds, QuickMs, string.Create(CultureInfo.InvariantCulture,
            $"with the provider hanging (Lab:PaymentTimeoutMs={PaymentTimeoutMs}), after 6 checkouts had failed the next 4 took {string.Join(", ", next.Select(a => Shop.Ms(a.Took)))} ms " +
            $"and sent it {calls} more calls; expected each answered within {QuickMs} ms, without waiting on a provider that is plainly down."));
        next.Should().OnlyContain(a => a.Code == 202 || (a.Code == 503 && a.RetryAfter != null && a.MediaType == "application/problem+json"),
            "a checkout the provider cannot take now is a degraded answer: 503 ProblemDetails with Retry-After, or 202 pending ({0})", string.Join(", ", next.Select(a => a.ToString())));
    }

    [Incident("broken")]
    public async Task CatalogAndHealth_WhileCheckoutsWaitOnAHungProvider_KeepTheirLatency(LabTarget target)
    {
        // Arrange: a pool of 4 database connections; the catalog measured while the provider is healthy.
        const int pool = 4;
        await using var provider = await DownstreamFake.StartAsync();
        await using var app = target.StartOnKestrel(Knobs(provider, ("Lab:DbPoolSize", $"{pool}")));
        using var client = app.CreateClient(TimeSpan.FromSeconds(60));
        var healthy = new List<Answer>();
        for (var i = 0; i < 5; i++) healthy.Add(await Shop.GetAsync(client, "/api/catalog"));
        await provider.SetAsync(DownstreamBehaviour.Hang);

        // Act: as many checkouts as the pool has connections reach the hung provider, then the catalog and /healthz are asked.
        var before = await provider.RequestsAsync();
        var checkouts = Enumerable.Range(0, pool).Select(_ => Shop.CheckoutAsync(client)).ToList();
        await provider.WaitForRequestsAsync(before + pool, TimeSpan.FromSeconds(60));
        var during = await Task.WhenAll(Shop.GetAsync(client, "/api/catalog"), Shop.GetAsync(client, "/api/catalog/SKU-1002"), Shop.GetAsync(client, "/healthz"));
        var answered = await Task.WhenAll(checkouts);
        output.WriteLine($"healthy catalog: {string.Join(", ", healthy)}; during the outage: catalog {during[0]}, product {during[1]}, /healthz {during[2]}; checkouts: {string.Join(", ", answered.Select(a => a.ToString()))}");

        // Assert
        var slowest = during.Max(a => a.Took);
        Symptom.AtMost(slowest.TotalMilliseconds, QuickMs, string.Create(CultureInfo.InvariantCulture,
            $"with {pool} checkouts waiting on a hung provider and Lab:DbPoolSize={pool}, GET /api/catalog took {Shop.Ms(during[0].Took)} ms, GET /api/catalog/SKU-1002 {Shop.Ms(during[1].Took)} ms " +
            $"and /healthz {Shop.Ms(during[2].Took)} ms (the catalog took {Shop.Ms(healthy.Max(a => a.Took))} ms at most while the provider was healthy); expected each within {QuickMs} ms, as none of them calls the provider."));
        during.Should().OnlyContain(a => a.Status == HttpStatusCode.OK, "the catalog and the health check answer while payments are down");
    }
}
