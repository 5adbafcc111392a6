using FluentAssertions;
using Xunit;

namespace Workshop.TestKit.Tests;

public sealed class StalledClockTests
{
    private static readonly TimeSpan Stalled = TimeSpan.FromMilliseconds(123_457);

    [Fact]
    public async Task Waits_OfTheStalledDuration_PassFirstThenStall()
    {
        // Arrange: one warm-up wait ends at once, the next two never end.
        var clock = new StalledClock(Stalled, passFirst: 1, stall: 2);

        // Act
        var warmUp = Task.Delay(Stalled, clock);
        var stuck = new[] { Task.Delay(Stalled, clock), Task.Delay(Stalled, clock) };
        await clock.StalledAsync(2).WaitAsync(TimeSpan.FromSeconds(10));
        await warmUp.WaitAsync(TimeSpan.FromSeconds(10));
        var other = Task.Delay(TimeSpan.FromMilliseconds(1), clock);
        await other.WaitAsync(TimeSpan.FromSeconds(10));

        // Assert
        stuck.Should().OnlyContain(t => !t.IsCompleted, "a stalled wait never ends, though a wait of another duration has");
    }

    [Fact]
    public void StalledAsync_MoreStallsThanHaveStarted_IsPending()
    {
        // Arrange
        var clock = new StalledClock(Stalled);
        _ = Task.Delay(Stalled, clock);

        // Act
        var one = clock.StalledAsync(1);
        var two = clock.StalledAsync(2);

        // Assert
        one.IsCompleted.Should().BeTrue("one wait has stalled");
        two.IsCompleted.Should().BeFalse("only one wait has stalled, not two");
    }
}
