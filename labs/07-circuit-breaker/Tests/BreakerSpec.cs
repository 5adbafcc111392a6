using System.Globalization;
using System.Net;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Workshop.TestKit;
using Workshop.Toolkit.Processes;
using Xunit;
using Xunit.Abstractions;

namespace Lab07.Tests;

/// <summary>
/// How the shop treats a provider that fails every call: it stops calling once the provider is plainly down, tries
/// one call again after the break, recovers when the provider does, and never multiplies one checkout into more than
/// three calls. Time is the test's (a <see cref="FakeTimeProvider"/> registered as the service's
/// <see cref="TimeProvider"/>), so a break of a minute passes when the test says so and not before.
/// </summary>
public sealed class BreakerSpec(ITestOutputHelper output)
{
    internal const int BreakSeconds = 60;

    internal static LabApp Start(LabTarget target, FakeTimeProvider time, Downstream provider) =>
        target.StartOnKestrel(b => b.ConfigureServices(s => s.AddSingleton<TimeProvider>(time)), Shop.Settings(provider,
            // Timeouts far beyond anything the test's clock reaches: here the provider fails fast, it does not hang.
            ("Lab:PaymentTimeoutMs", "600000"), ("Lab:AttemptTimeoutMs", "600000"), ("Lab:BreakDurationSeconds", $"{BreakSeconds}")));

    internal static FakeTimeProvider Clock() => new(new DateTimeOffset(2025, 11, 28, 12, 0, 0, TimeSpan.Zero));

    internal static Task<Answer[]> CheckoutsAsync(FakeTimeProvider time, HttpClient client, int count) =>
        Shop.WhileTimePasses(time, Task.WhenAll(Enumerable.Range(0, count).Select(_ => Shop.CheckoutAsync(client))));

    internal static async Task<List<Answer>> OneAfterAnotherAsync(FakeTimeProvider time, HttpClient client, int count)
    {
        var answers = new List<Answer>();
        for (var i = 0; i < count; i++) answers.Add(await Shop.WhileTimePasses(time, Shop.CheckoutAsync(client)));
        return answers;
    }

    [Incident("broken")]
    public async Task Provider_FailingEveryCall_GetsNoCallsDuringTheBreakAndOneProbeAfterIt(LabTarget target)
    {
        // Arrange: the provider answers 503 to everything; six checkouts have failed.
        var time = Clock();
        await using var provider = await DownstreamFake.StartAsync(DownstreamBehaviour.Fail(503));
        await using var app = Start(target, time, provider);
        using var client = app.CreateClient();
        await CheckoutsAsync(time, client, 6);

        // Act: four checkouts at once, then, after the break, four one after another.
        var c0 = await provider.RequestsAsync();
        var during = await CheckoutsAsync(time, client, 4);
        var c1 = await provider.RequestsAsync();
        Symptom.AtMost(c1 - c0, 0, string.Create(CultureInfo.InvariantCulture,
            $"with the provider failing every call (503), after 6 failed checkouts the next 4 ({string.Join(", ", during.Select(a => a.ToString()))}) sent it {c1 - c0} calls; " +
            $"expected none while it is judged down."));
        time.Advance(TimeSpan.FromSeconds(BreakSeconds + 1));
        var after = await OneAfterAnotherAsync(time, client, 4);
        var c2 = await provider.RequestsAsync();
        output.WriteLine($"during the break: {string.Join(", ", during.Select(a => a.ToString()))}, {c1 - c0} calls; after it: {string.Join(", ", after.Select(a => a.ToString()))}, {c2 - c1} calls");

        // Assert
        Symptom.AtMost(c2 - c0, 1, string.Create(CultureInfo.InvariantCulture,
            $"with the provider failing every call (503), after 6 failed checkouts the next 4 sent it {c1 - c0} calls and the 4 after a {BreakSeconds} s break " +
            $"{c2 - c1}; expected none while it is judged down and a single probe once the break is over."));
        during.Concat(after).Should().OnlyContain(a => a.Code >= 500, "no checkout is paid while the provider fails");
    }
}

/// <summary>
/// The breaker's guards: a healed provider is paid again once the break is over, and one checkout calls a failing provider
/// at most three times. Apart from <see cref="BreakerSpec"/> so they run beside it.
/// </summary>
public sealed class BreakerRecoverySpec(ITestOutputHelper output)
{
    [Guard("deletes-the-feature")]
    public async Task Checkout_AfterTheProviderHeals_IsPaidAgainOnceTheBreakIsOver(LabTarget target)
    {
        // Arrange: six checkouts failed, then the provider heals.
        var time = BreakerSpec.Clock();
        await using var provider = await DownstreamFake.StartAsync(DownstreamBehaviour.Fail(503));
        await using var app = BreakerSpec.Start(target, time, provider);
        using var client = app.CreateClient();
        await BreakerSpec.CheckoutsAsync(time, client, 6);
        await provider.SetAsync(DownstreamBehaviour.Ok);

        // Act
        time.Advance(TimeSpan.FromSeconds(BreakerSpec.BreakSeconds + 1));
        var after = await BreakerSpec.OneAfterAnotherAsync(time, client, 3);
        output.WriteLine(string.Join(", ", after.Select(a => a.ToString())));

        // Assert
        after.Should().OnlyContain(a => a.Status == HttpStatusCode.Created,
            "a healed provider takes payments again once the {0} s break is over ({1})", BreakerSpec.BreakSeconds, string.Join("; ", after.Select(a => $"{a}: {a.Body}")));
    }

    [Guard]
    public async Task Checkout_ProviderFailing_CallsItAtMostThreeTimes(LabTarget target)
    {
        // Arrange
        var time = BreakerSpec.Clock();
        await using var provider = await DownstreamFake.StartAsync(DownstreamBehaviour.Fail(503));
        await using var app = BreakerSpec.Start(target, time, provider);
        using var client = app.CreateClient();

        // Act: one checkout.
        var answer = await Shop.WhileTimePasses(time, Shop.CheckoutAsync(client));
        var calls = await provider.RequestsAsync();

        // Assert: a first try and two retries at most, and a ProblemDetails answer.
        calls.Should().BeInRange(1, 3, "one checkout against a failing provider is tried at most three times ({0})", answer);
        answer.Code.Should().BeInRange(500, 599);
        answer.MediaType.Should().Be("application/problem+json");
    }
}
