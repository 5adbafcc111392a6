using FluentAssertions;
using Workshop.TestKit;
using Xunit;

namespace Workshop.TestKit.Tests;

[Collection(NoCollectionsTests.Alone)]
public sealed class NoCollectionsTests
{
    public const string Alone = "no collections";

    [Fact]
    public void NoCollections_SmallAllocations_HoldsUntilDisposed()
    {
        // Arrange
        bool heldInside;
        int collectionsInside;

        // Act
        using (var region = NoCollections.Begin())
        {
            var collections = GC.CollectionCount(0);
            var garbage = new List<byte[]>();
            for (var i = 0; i < 1_000; i++) garbage.Add(new byte[1024]);
            heldInside = region.Held;
            collectionsInside = GC.CollectionCount(0) - collections;
        }

        // Assert
        heldInside.Should().BeTrue("1 MB of allocations is far inside the budget");
        collectionsInside.Should().Be(0, "no collection runs inside the region");
        System.Runtime.GCSettings.LatencyMode.Should().NotBe(System.Runtime.GCLatencyMode.NoGCRegion, "disposing ends the region");
    }
}

[CollectionDefinition(NoCollectionsTests.Alone, DisableParallelization = true)]
public sealed class NoCollectionsCollection;
