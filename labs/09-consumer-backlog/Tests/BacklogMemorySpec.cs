using FluentAssertions;
using Lab09.Replay;
using Workshop.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Lab09.Tests;

/// <summary>While the work has stalled and the queue is deep, the backlog stays in the broker, not in the consumer's heap.</summary>
[Collection(RunsAlone.Name)]
public sealed class BacklogMemorySpec(BrokerFixture fixture, ITestOutputHelper output) : IClassFixture<BrokerFixture>
{
    private const int Orders = 4_000;

    [Incident("broken")]
    public async Task DeepQueue_WhileTheWarehouseIsStalled_StaysInTheBrokerNotInTheConsumer(LabTarget target)
    {
        // Arrange: the consumer up on an empty queue; the warehouse holding every call.
        await using var backlog = await Backlog.CreateAsync(fixture.Broker, Backlog.Stalled);
        await using var app = target.Start(backlog.Knobs());
        using var client = app.CreateClient();
        await Backlog.ConnectedAsync(client, TimeSpan.FromSeconds(30));
        var before = Memory.RetainedBytes();

        // Act: 4,000 orders of about 3.6 KB each (14 MB) arrive while the work is stalled, as after a deploy or an outage.
        await backlog.Shop.PublishAsync(0, Orders);
        var ready = await backlog.ReadyOnceSettledAsync(TimeSpan.FromSeconds(30));
        var held = Orders - ready;
        var grown = Memory.RetainedBytes() - before;
        var bytes = (double)Orders * Shop.Event(0).Length;
        output.WriteLine($"{Orders:N0} orders ({Backlog.Mb(bytes)}) published; the broker holds {ready:N0} ready, the consumer {held:N0}; its heap grew by {Backlog.Mb(grown)}");
        await backlog.Warehouse.SetAsync(Backlog.Quick);

        // Assert: a fifth of the backlog is the most a consumer may take in hand (a prefetch limit holds tens).
        Symptom.Absent(held <= Orders / 5 && grown <= bytes / 5,
            $"with the work stalled and {Orders:N0} orders queued, the consumer took {held:N0} of them off the queue and its retained heap grew by {Backlog.Mb(grown)} " +
            $"(the orders weigh {Backlog.Mb(bytes)}); expected at most a fifth of each ({Orders / 5:N0} orders, {Backlog.Mb(bytes / 5)}): the backlog belongs in the broker.");
        held.Should().BeGreaterThan(0, "the consumer takes some orders in hand");
    }
}
