using System.Globalization;
using FluentAssertions;
using Lab09.Replay;
using Workshop.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Lab09.Tests;

/// <summary>
/// Every order reserved exactly once: across a restart of the consumer in the middle of the backlog, and across a
/// broker killed and started again; and a consumer that keeps up with a shallow queue.
/// </summary>
public sealed class ExactlyOnceSpec(BrokerFixture fixture, ITestOutputHelper output) : IClassFixture<BrokerFixture>
{
    private const int Orders = 400;

    [Incident("broken", "half-fix")]
    public async Task Consumer_RestartedMidBacklog_ReservesEveryOrderExactlyOnce(LabTarget target)
    {
        // Arrange: 400 orders queued; the warehouse stalls; the first consumer takes orders in hand.
        await using var backlog = await Backlog.CreateAsync(fixture.Broker, Backlog.Stalled);
        await backlog.Shop.PublishAsync(0, Orders);
        var first = target.Start(backlog.Knobs());
        await backlog.Warehouse.WaitForRequestsAsync(1, TimeSpan.FromSeconds(30));

        // Act: the consumer is stopped (a deploy) with reservations in hand; they are answered once the broker has seen
        // the consumer go; a new consumer takes over the rest.
        var stopping = first.DisposeAsync().AsTask();
        var consumerGone = await ConsumerGoneAsync(backlog, TimeSpan.FromSeconds(10));
        await backlog.Warehouse.SetAsync(Backlog.Quick);
        await stopping;
        await using var second = target.Start(backlog.Knobs());
        using var client = second.CreateClient();
        var drained = await backlog.DrainedAsync(client, Orders, TimeSpan.FromSeconds(30));
        var reservations = await backlog.ReservationsAsync();
        output.WriteLine($"consumer gone from the broker before the held call answered: {consumerGone}; drained: {drained}; " +
                         $"warehouse calls {await backlog.Warehouse.RequestsAsync()}, repeated keys {await backlog.Warehouse.KeyRepeatsAsync()}, reservations {reservations}");

        // Assert
        Symptom.Absent(reservations == Orders && drained, string.Create(CultureInfo.InvariantCulture,
            $"{Orders} orders, a consumer stopped mid-backlog and another started: the warehouse made {reservations} reservations ({reservations - Orders:+0;-0;0} against one per order) " +
            $"and the queue {(drained ? "drained" : "did not drain (30 s at most, 10 s without progress)")}; expected exactly {Orders}, each order reserved once."));
    }

    [Incident("broken", "half-fix")]
    public async Task Broker_KilledMidBacklogAndBack_EveryOrderReservedExactlyOnce(LabTarget target)
    {
        // Arrange: 400 orders queued; the warehouse stalls; the consumer takes orders in hand.
        await using var backlog = await Backlog.CreateAsync(fixture.Broker, Backlog.Stalled);
        await backlog.Shop.PublishAsync(0, Orders);
        await using var app = target.Start(backlog.Knobs());
        using var client = app.CreateClient();
        await backlog.Warehouse.WaitForRequestsAsync(1, TimeSpan.FromSeconds(30));

        // Act: the broker is killed (kill -9) and started again on the same ports; then the held call answers. Its
        // definitions are synced to disk first, as a broker that had run for more than a moment would have them.
        await backlog.Broker.SyncToDiskAsync();
        await backlog.Broker.KillAsync();
        await backlog.Broker.RestartAsync();
        await backlog.Warehouse.SetAsync(Backlog.Quick);
        var drained = await backlog.DrainedAsync(client, Orders, TimeSpan.FromSeconds(30));
        var reservations = await backlog.ReservationsAsync();
        var (ready, consumers) = await backlog.CountsAsync();
        output.WriteLine($"drained: {drained}; warehouse calls {await backlog.Warehouse.RequestsAsync()}, repeated keys {await backlog.Warehouse.KeyRepeatsAsync()}, reservations {reservations}; " +
                         $"the queue holds {ready} ready with {consumers} consumers");
        if (!drained) output.WriteLine("the broker's log, its last 40 lines:\n" + string.Join('\n', backlog.Broker.Log.Split('\n').TakeLast(40)));

        // Assert
        Symptom.Absent(reservations == Orders && drained, string.Create(CultureInfo.InvariantCulture,
            $"{Orders} orders, the broker killed mid-backlog and started again: the warehouse made {reservations} reservations ({reservations - Orders:+0;-0;0} against one per order) " +
            $"and the queue {(drained ? "drained" : "did not drain (30 s at most, 10 s without progress)")}; expected exactly {Orders}, none lost and none twice."));
    }

    [Guard("deletes-the-feature")]
    public async Task ShallowQueue_ConsumerKeepsUp_EveryOrderReservedOnce(LabTarget target)
    {
        // Arrange
        await using var backlog = await Backlog.CreateAsync(fixture.Broker, Backlog.Quick);
        await using var app = target.Start(backlog.Knobs());
        using var client = app.CreateClient();
        await Backlog.ConnectedAsync(client, TimeSpan.FromSeconds(30));

        // Act: 200 orders, as a quiet hour sends them.
        await backlog.Shop.PublishAsync(0, 200);
        var drained = await backlog.DrainedAsync(client, 200, TimeSpan.FromSeconds(30));
        var reservations = await backlog.ReservationsAsync();

        // Assert
        drained.Should().BeTrue("the consumer takes 200 orders off the queue within 30 s");
        reservations.Should().Be(200, "each of the 200 orders is reserved once");
    }

    // True once the broker counts no consumer on the queue: the stopping service has let go of it.
    private static async Task<bool> ConsumerGoneAsync(Backlog backlog, TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if ((await backlog.CountsAsync()).Consumers == 0) return true;
            await Task.Delay(20);
        }
        return false;
    }
}
