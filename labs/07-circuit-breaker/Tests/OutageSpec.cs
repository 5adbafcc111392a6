using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using FluentAssertions;
using Workshop.TestKit;
using Workshop.Toolkit.Processes;
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
    internal const int QuickMs = 300;

    /// <summary>How long an answer is waited for when it is measured against <see cref="QuickMs"/>: five times the bound.</summary>
    internal static readonly TimeSpan Patience = TimeSpan.FromMilliseconds(5 * QuickMs);

    internal static (string, string)[] Knobs(Downstream provider, params (string, string)[] more) => Shop.Settings(provider,
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
        var next = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Shop.CheckoutAsync(client, patience: Patience)));
        var calls = await provider.RequestsAsync() - callsBefore;
        output.WriteLine($"first 6: {string.Join(", ", first.Select(a => a.ToString()))}; next 4: {string.Join(", ", next.Select(a => a.ToString()))}; {calls} calls to the provider");

        // Assert
        var slowest = next.Max(a => a.Took);
        Symptom.AtMost(slowest.TotalMilliseconds, QuickMs, string.Create(CultureInfo.InvariantCulture,
            $"with the provider hanging (Lab:PaymentTimeoutMs={PaymentTimeoutMs}), after 6 checkouts had failed the next 4 took {string.Join(", ", next.Select(a => a.Timing))} " +
            $"and sent it {calls} more calls; expected each answered within {QuickMs} ms, without waiting on a provider that is plainly down."));
        next.Should().OnlyContain(a => a.Code == 202 || (a.Code == 503 && a.RetryAfter != null && a.MediaType == "application/problem+json"),
            "a checkout the provider cannot take now is a degraded answer: 503 ProblemDetails with Retry-After, or 202 pending ({0})", string.Join(", ", next.Select(a => a.ToString())));
    }

}

/// <summary>
/// The payment budget holds whatever the provider does: a try longer than the budget still ends as a failure the breaker
/// counts, and an answer that stalls after its headers is timed out like a try that never answered. Apart from
/// <see cref="OutageSpec"/> so the two run side by side.
/// </summary>
public sealed class BudgetSpec(ITestOutputHelper output)
{
    [Incident("broken")]
    public async Task Provider_HungWithATryLongerThanTheBudget_GetsNoCallsOnceJudgedDown(LabTarget target)
    {
        // Arrange: the whole charge gets 300 ms and a try is allowed 400 (a try longer than the budget, as a hurried
        // change of one knob leaves it); the provider takes every call and never answers.
        await using var provider = await DownstreamFake.StartAsync(DownstreamBehaviour.Hang);
        await using var app = target.StartOnKestrel(Shop.Settings(provider,
            ("Lab:PaymentTimeoutMs", "300"), ("Lab:AttemptTimeoutMs", "400"), ("Lab:BreakDurationSeconds", "30")));
        using var client = app.CreateClient(TimeSpan.FromSeconds(60));

        // Act: up to three rounds of ten checkouts at once; a round after the first that still calls the provider has
        // answered, and ends the run.
        var calls = new List<long>();
        Answer[] last = [];
        for (var round = 0; round < 3 && (round < 2 || calls[1] <= 1); round++)
        {
            var before = await provider.RequestsAsync();
            last = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Shop.CheckoutAsync(client)));
            calls.Add(await provider.RequestsAsync() - before);
        }
        output.WriteLine($"calls per round: {string.Join(", ", calls)}; last round: {string.Join(", ", last.Select(a => a.ToString()))}");

        // Assert
        Symptom.AtMost(calls.Skip(1).Sum(), 1, string.Create(CultureInfo.InvariantCulture,
            $"with Lab:PaymentTimeoutMs=300 and Lab:AttemptTimeoutMs=400, rounds of 10 checkouts against a hung provider sent it {string.Join(", ", calls)} calls; " +
            $"expected none after the first round (a probe at most): a try must end inside the budget, as a failure the breaker counts."));
    }
}

/// <summary>An answer that stalls after its headers is timed out like a try that never answered. Apart so it runs beside the others.</summary>
public sealed class AnswerStallSpec(ITestOutputHelper output)
{
    [Incident("broken")]
    public async Task Checkout_ProviderStallsInItsAnswer_IsAnsweredWithinTheBudget(LabTarget target)
    {
        // Arrange: the provider sends its headers and a few bytes of the answer, then nothing, on an open connection;
        // the whole charge gets 400 ms, and the customer waits five times that.
        await using var provider = await DownstreamFake.StartAsync(DownstreamBehaviour.Stall);
        await using var app = target.StartOnKestrel(Shop.Settings(provider, ("Lab:PaymentTimeoutMs", "400"), ("Lab:AttemptTimeoutMs", "150")));
        using var client = app.CreateClient(TimeSpan.FromSeconds(60));

        // Act
        var answer = await Shop.CheckoutAsync(client, patience: TimeSpan.FromSeconds(2));
        output.WriteLine($"{answer} {answer.Body}");

        // Assert
        Symptom.Absent(answer.Code is >= 500 and < 600 && answer.MediaType == "application/problem+json", string.Create(CultureInfo.InvariantCulture,
            $"the provider sent its headers and then stalled in the answer; checkout took {answer.Timing} and answered {(answer.Code == 0 ? "nothing" : $"{answer.Code}")}, " +
            $"where Lab:PaymentTimeoutMs=400 should have ended the charge with a degraded answer: the try's timeout must cover reading the answer."));
    }
}

/// <summary>
/// While checkouts wait on a hung provider, what never calls it (the catalog, the health check) keeps its latency. Apart
/// from <see cref="OutageSpec"/> so the two run side by side.
/// </summary>
public sealed class CatalogDuringOutageSpec(ITestOutputHelper output)
{
    private const int QuickMs = OutageSpec.QuickMs;
    private static readonly TimeSpan Patience = OutageSpec.Patience;

    [Incident("broken")]
    public async Task CatalogAndHealth_WhileCheckoutsWaitOnAHungProvider_KeepTheirLatency(LabTarget target)
    {
        // Arrange: a pool of 4 database connections; the catalog measured while the provider is healthy.
        const int pool = 4;
        await using var provider = await DownstreamFake.StartAsync();
        await using var app = target.StartOnKestrel(OutageSpec.Knobs(provider, ("Lab:DbPoolSize", $"{pool}")));
        using var client = app.CreateClient(TimeSpan.FromSeconds(60));
        var healthy = new List<Answer>();
        for (var i = 0; i < 5; i++) healthy.Add(await Shop.GetAsync(client, "/api/catalog"));
        await provider.SetAsync(DownstreamBehaviour.Hang);

        // Act: as many checkouts as the pool has connections reach the hung provider, then the catalog and /healthz are asked.
        var before = await provider.RequestsAsync();
        var checkouts = Enumerable.Range(0, pool).Select(_ => Shop.CheckoutAsync(client)).ToList();
        await provider.WaitForRequestsAsync(before + pool, TimeSpan.FromSeconds(60));
        var during = await Task.WhenAll(Shop.GetAsync(client, "/api/catalog", Patience), Shop.GetAsync(client, "/api/catalog/SKU-1002", Patience),
            Shop.GetAsync(client, "/healthz", Patience));
        output.WriteLine($"healthy catalog: {string.Join(", ", healthy)}; during the outage: catalog {during[0]}, product {during[1]}, /healthz {during[2]}");

        // Assert
        var slowest = during.Max(a => a.Took);
        Symptom.AtMost(slowest.TotalMilliseconds, QuickMs, string.Create(CultureInfo.InvariantCulture,
            $"with {pool} checkouts waiting on a hung provider and Lab:DbPoolSize={pool}, GET /api/catalog took {during[0].Timing}, GET /api/catalog/SKU-1002 {during[1].Timing} " +
            $"and /healthz {during[2].Timing} (the catalog took {Shop.Ms(healthy.Max(a => a.Took))} ms at most while the provider was healthy); expected each within {QuickMs} ms, as none of them calls the provider."));
        during.Should().OnlyContain(a => a.Status == HttpStatusCode.OK, "the catalog and the health check answer while payments are down");
        var answered = await Task.WhenAll(checkouts);
        output.WriteLine($"checkouts: {string.Join(", ", answered.Select(a => a.ToString()))}");
    }
}

/// <summary>
/// While checkouts wait on a hung provider, no database connection is held for them, whatever the timeouts: the pool is
/// read on <c>/metrics</c>, so this runs with no other shop in the test process.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class PoolDuringOutageSpec(ITestOutputHelper output)
{
    [Incident("broken", "half-fix")]
    public async Task DatabasePool_WhileCheckoutsWaitOnAHungProvider_HasEveryConnectionFree(LabTarget target)
    {
        // Arrange: a pool of 4; a try and the whole charge allowed a minute, so a connection held while the provider
        // is called is held for the whole test, whatever a fix does about timeouts.
        const int pool = 4;
        await using var provider = await DownstreamFake.StartAsync(DownstreamBehaviour.Hang);
        await using var app = target.StartOnKestrel(Shop.Settings(provider,
            ("Lab:PaymentTimeoutMs", "60000"), ("Lab:AttemptTimeoutMs", "60000"), ("Lab:DbPoolSize", $"{pool}")));
        using var client = app.CreateClient(TimeSpan.FromSeconds(120));

        // Act: as many checkouts as the pool has connections reach the hung provider; then the pool is read.
        var checkouts = Enumerable.Range(0, pool).Select(_ => client.PostAsJsonAsync(new Uri("/api/checkout", UriKind.Relative), Shop.Cart)).ToList();
        await provider.WaitForRequestsAsync(pool, TimeSpan.FromSeconds(30));
        var inUse = await ServiceMetrics.ReadAsync(client, "shop_db_pool_in_use");
        output.WriteLine($"shop_db_pool_in_use: {inUse} of {pool} while {pool} checkouts wait on the provider");

        // Assert; then, whatever the verdict, the provider recovers and answers the calls it held, and the checkouts end
        // (left hanging, they would hold the service's shutdown).
        try
        {
            Symptom.Absent(inUse == 0, string.Create(CultureInfo.InvariantCulture,
                $"with {pool} checkouts waiting on a hung provider, shop_db_pool_in_use reads {inUse?.ToString(CultureInfo.InvariantCulture) ?? "nothing"} of Lab:DbPoolSize={pool}; " +
                $"expected 0: no database connection is held while the provider is called, whatever the timeouts."));
        }
        finally
        {
            await provider.SetAsync(DownstreamBehaviour.Ok);
            foreach (var checkout in checkouts) (await checkout.WaitAsync(TimeSpan.FromSeconds(30))).Dispose();
        }
    }
}
