using FluentAssertions;
using Xunit;

namespace Workshop.TestKit.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryCollection
{
    public const string Name = "memory: runs alone";
}

[Collection(MemoryCollection.Name)]
public sealed class MemoryTests
{
    [Fact]
    public void RetainedBytes_AfterDroppingALargeArray_FallsBack()
    {
        // Arrange
        var baseline = Memory.RetainedBytes();
        var holder = Hold(32 * 1024 * 1024);
        var held = Memory.RetainedBytes();
        holder.Value = null;

        // Act
        var released = Memory.RetainedBytes();

        // Assert
        (held - baseline).Should().BeGreaterThan(30L * 1024 * 1024, "a held 32 MB array is retained");
        (held - released).Should().BeGreaterThan(30L * 1024 * 1024, "a dropped array is collected ({0} -> {1})", Memory.Megabytes(held), Memory.Megabytes(released));
    }

    // Allocated in its own frame: a Debug build keeps the test method's temporaries alive to its end.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static System.Runtime.CompilerServices.StrongBox<byte[]?> Hold(int size)
    {
        var array = new byte[size];
        array[^1] = 1;
        return new(array);
    }
}
