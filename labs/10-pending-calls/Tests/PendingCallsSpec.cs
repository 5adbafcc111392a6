using System.Globalization;
using System.Net.Http.Json;
using FluentAssertions;
using Lab10.Backend;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Workshop.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Lab10.Tests;

/// <summary>
/// With a backend that drops answers, every caller hears by its deadline (an answer or a 504); a caller that gives up
/// leaves nothing in the table; a stalled backend fills the table only up to its bound, and past it callers are
/// refused at once; a healthy backend's answers all come through.
/// </summary>
public sealed class PendingCallsSpec(ITestOutputHelper output)
{
    /// <summary>The deadline the spec gives a call (<c>Lab:CallTimeoutMs</c>).</summary>
    internal const int CallTimeoutMs = 2_000;

    /// <summary>How far the spec moves the service's clock to pass every deadline: 2.5 times the deadline.</summary>
    internal static readonly TimeSpan PastTheDeadline = TimeSpan.FromMilliseconds(CallTimeoutMs * 2.5);

    internal static LabApp Start(LabTarget target, Inventory inventory, FakeTimeProvider time, params (string, string)[] more) =>
        target.Start(b => b.ConfigureServices(s => s.AddSingleton<TimeProvider>(time)),
            [("Lab:Inventory", inventory.Endpoint), ("Lab:CallTimeoutMs", CallTimeoutMs.ToString(CultureInfo.InvariantCulture)), .. more]);

    /// <summary>
    /// Moves the clock past every deadline until no caller is left waiting, or three moves leave the count unchanged
    /// (a call whose wait began just after a move is caught by the next).
    /// </summary>
    internal static async Task PassDeadlinesAsync(FakeTimeProvider time, Callers callers)
    {
        for (var move = 0; move < 3 && callers.Answered < callers.Count; move++)
        {
            time.Advance(PastTheDeadline);
            await callers.AnsweredAsync(callers.Count, TimeSpan.FromSeconds(2));
        }
    }

    [Incident("broken")]
    public async Task DroppedAnswers_EveryCallerHearsByItsDeadline(LabTarget target)
    {
        // Arrange: a backend that drops one answer in five; the service's clock is the test's.
        await using var inventory = await Inventory.StartAsync(dropRate: 0.2);
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 11, 28, 9, 0, 0, TimeSpan.Zero));
        await using var app = Start(target, inventory, time);
        using var client = app.CreateClient(Timeout.InfiniteTimeSpan);

        // Act: 200 callers at once; once the backend has them all and its answers are in, the clock passes the deadline.
        using var callers = Callers.Start(client, 0, 200);
        await inventory.ReceivedAsync(200, TimeSpan.FromSeconds(30));
        await callers.AnsweredAsync(160, TimeSpan.FromSeconds(10));
        await PassDeadlinesAsync(time, callers);
        output.WriteLine(callers.Describe());

        // Assert
        var statuses = callers.Statuses;
        Symptom.Absent(callers.Answered == 200 && statuses.GetValueOrDefault(200) == 160 && statuses.GetValueOrDefault(504) == 40, string.Create(CultureInfo.InvariantCulture,
            $"with one answer in five dropped by the backend and the clock {PastTheDeadline.TotalSeconds:0} s past the {CallTimeoutMs:N0} ms deadline, {callers.Describe()}; " +
            $"expected all 200 to hear: 160 with their stock (200) and 40 told the answer did not come (504)."));
    }

    [Incident("broken", "half-fix")]
    public async Task CancelledCallers_LeaveNoPendingCall(LabTarget target)
    {
        // Arrange: a backend that answers nothing.
        await using var inventory = await Inventory.StartAsync(dropRate: 1);
        var time = new FakeTimeProvider();
        await using var app = Start(target, inventory, time);
        using var client = app.CreateClient(Timeout.InfiniteTimeSpan);
        using var metrics = app.CreateClient();

        // Act: 300 callers wait; once the backend has every call, they all give up (the clock does not move).
        using var callers = Callers.Start(client, 0, 300);
        await inventory.ReceivedAsync(300, TimeSpan.FromSeconds(30));
        var before = await ServiceMetrics.ReadAsync(metrics, "inventory_pending_calls");
        callers.GiveUp();
        var after = await PendingSettledAsync(metrics, until: 0);
        output.WriteLine($"inventory_pending_calls: {Show(before)} while 300 wait, {Show(after)} once they have given up");

        // Assert
        Symptom.Absent(after == 0 && before > 0, string.Create(CultureInfo.InvariantCulture,
            $"300 callers gave up on a backend that answers nothing, and inventory_pending_calls reads {Show(after)} (it read {Show(before)} while they waited); " +
            $"expected the table on /metrics, and empty once nobody waits: a cancelled call takes its entry with it."));
    }

    [Incident("broken")]
    public async Task StalledBackend_TableStopsAtItsBoundAndTheRestAreRefusedAt503(LabTarget target)
    {
        // Arrange: a backend that answers nothing; room for 100 pending calls.
        await using var inventory = await Inventory.StartAsync(dropRate: 1);
        var time = new FakeTimeProvider();
        await using var app = Start(target, inventory, time, ("Lab:MaxPendingCalls", "100"));
        using var client = app.CreateClient(Timeout.InfiniteTimeSpan);
        using var metrics = app.CreateClient();

        // Act: 300 callers at once, and the clock does not move.
        using var callers = Callers.Start(client, 0, 300);
        await callers.AnsweredAsync(200, TimeSpan.FromSeconds(3));
        var pending = await ServiceMetrics.ReadAsync(metrics, "inventory_pending_calls");
        output.WriteLine($"{callers.Describe()}; the backend received {inventory.Requests}; inventory_pending_calls {Show(pending)}");

        // Assert
        var refused = callers.Statuses.GetValueOrDefault(503);
        Symptom.Absent(refused == 200 && inventory.Requests <= 100 && pending <= 100, string.Create(CultureInfo.InvariantCulture,
            $"300 callers on a backend that answers nothing, with room for 100 pending calls: {callers.Describe()}, {inventory.Requests} calls sent to the backend, " +
            $"inventory_pending_calls {Show(pending)}; expected 100 waiting at most and 200 refused at once (503)."));
    }

    [Guard("deletes-the-feature")]
    public async Task HealthyBackend_EveryBasketAnsweredWithItsStock(LabTarget target)
    {
        // Arrange
        await using var inventory = await Inventory.StartAsync(dropRate: 0);
        await using var app = Start(target, inventory, new FakeTimeProvider());
        using var client = app.CreateClient();

        // Act
        var wrong = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            using var response = await client.SendAsync(Replay.Baskets.Check(i));
            response.StatusCode.Should().Be(System.Net.HttpStatusCode.OK, "a healthy backend answers basket {0}", i);
            var answer = await response.Content.ReadFromJsonAsync<Answer>();
            for (var line = 0; line < Replay.Baskets.Lines; line++)
            {
                var sku = Replay.Baskets.Sku(i, line);
                if (answer!.Lines[line].Sku != sku || answer.Lines[line].Available != InventoryProtocol.Stock(sku)) wrong.Add($"basket {i} line {line}");
            }
        }

        // Assert
        wrong.Should().BeEmpty("each line's stock is the backend's ({0} of {1} lines differ)", wrong.Count, 20 * Replay.Baskets.Lines);
    }

    internal static string Show(double? value) => value?.ToString("N0", CultureInfo.InvariantCulture) ?? "nothing (no such metric)";

    // Reads inventory_pending_calls until it reads `until` or has not changed for 2 s.
    internal static async Task<double?> PendingSettledAsync(HttpClient metrics, double until)
    {
        double? last = null;
        var since = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var now = await ServiceMetrics.ReadAsync(metrics, "inventory_pending_calls");
            if (now is null || now == until) return now;
            if (now != last)
            {
                last = now;
                since.Restart();
            }
            else if (since.Elapsed > TimeSpan.FromSeconds(2)) return now;
            await Task.Delay(20);
        }
    }

    private sealed record Answer(string BasketId, List<AnswerLine> Lines);

    private sealed record AnswerLine(string Sku, int Quantity, int Available, bool Enough);
}
