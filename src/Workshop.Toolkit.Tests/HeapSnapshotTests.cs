using Workshop.Toolkit.Diagnostics;

namespace Workshop.Toolkit.Tests;

public sealed class HeapSnapshotTests
{
    // What the test leaks on purpose, rooted in a static field as a leak would be.
    private static readonly List<Func<int>> Kept = [];

    [Fact]
    public void Diff_AfterClosuresKeepBuffers_NamesTheBufferTheClosureAndItsCapturesByGrowth()
    {
        // Arrange
        // 30 MB of buffers: other tests' objects that die between the snapshots are noise next to it.
        const int leaked = 300, bufferBytes = 100_000;
        var before = HeapSnapshot.TakeOfCurrentProcess();

        // Act: each closure captures a buffer and an id; the list keeps them.
        for (var i = 0; i < leaked; i++) Keep(i, bufferBytes);
        var after = HeapSnapshot.TakeOfCurrentProcess();
        var diff = HeapDiff.Between(before, after);

        // Assert
        var buffers = diff.Find("System.Byte[]");
        buffers.Should().NotBeNull();
        buffers!.BytesGrowth.Should().BeGreaterThanOrEqualTo(leaked * bufferBytes * 9L / 10, "300 buffers of 100 KB are kept:\n{0}", diff.ToTable());
        diff.Top(1).Single().Type.Should().Be("System.Byte[]", "the buffers are the largest growth:\n{0}", diff.ToTable());

        var closure = diff.Types.Single(t => t.Type.Contains("HeapSnapshotTests+<>c__DisplayClass", StringComparison.Ordinal));
        closure.CountGrowth.Should().Be(leaked);
        closure.ReadableName.Should().Be($"closure of HeapSnapshotTests.Keep capturing {{buffer, id}} [{HeapTypeNames.Short(closure.Type)}]");
        buffers.HeldBy.Should().Be(closure.Type, "the closures hold most of the buffers' bytes");
        after.RootPath("System.Byte[]").Should().StartWith(["System.Byte[]", closure.ReadableName, "System.Func<System.Int32>"])
            .And.Subject.Last().Should().StartWith("[", "a path ends at a root");
        GC.KeepAlive(Kept);
    }

    [Fact]
    public void Snapshot_OfCurrentProcess_LeavesAnEarlierSnapshotOut()
    {
        // Arrange
        var first = HeapSnapshot.TakeOfCurrentProcess();

        // Act
        var second = HeapSnapshot.TakeOfCurrentProcess();

        // Assert: the first snapshot is alive in this process, yet counted in neither.
        second.Types.Should().NotContain(t => t.Type.Contains("Workshop.Toolkit.Heap", StringComparison.Ordinal));
        HeapDiff.Between(first, second).Find("System.String")?.CountGrowth.Should().BeLessThan(first.Types.Count,
            "the first snapshot's type names are not counted in the second");
    }

    [Theory]
    [InlineData("Lab02.Reports.ReportEndpoints+<>c__DisplayClass3_0", "closure of ReportEndpoints (member #3) [ReportEndpoints+<>c__DisplayClass3_0]")]
    [InlineData("Lab02.Reports.ReportEndpoints+<>c", "lambdas of ReportEndpoints that capture nothing (one shared instance) [ReportEndpoints+<>c]")]
    [InlineData("Lab02.Reports.ReportRenderer+<RenderAsync>d__4", "state machine of ReportRenderer.RenderAsync (async or iterator) [ReportRenderer+<RenderAsync>d__4]")]
    [InlineData("System.Byte[]", "System.Byte[]")]
    [InlineData("System.Collections.Generic.Dictionary<System.String, System.Object>", "System.Collections.Generic.Dictionary<System.String, System.Object>")]
    [InlineData("System.Runtime.CompilerServices.AsyncTaskMethodBuilder<System.Threading.Tasks.VoidTaskResult>+AsyncStateMachineBox<Microsoft.Extensions.Hosting.HostingAbstractionsHostExtensions+<RunAsync>d__4>",
        "System.Runtime.CompilerServices.AsyncTaskMethodBuilder<System.Threading.Tasks.VoidTaskResult>+AsyncStateMachineBox<Microsoft.Extensions.Hosting.HostingAbstractionsHostExtensions+<RunAsync>d__4>")]
    public void Describe_FromTheNameAlone_ReadsAsWhatTheCompilerMade(string type, string readable)
    {
        // Act
        var described = HeapTypeNames.Describe(type);

        // Assert
        described.Should().Be(readable);
    }

    [Fact]
    public void Describe_ClosureWithItsFieldsAndLambdas_NamesTheMethodAndTheCaptures()
    {
        // Arrange
        var stats = new HeapTypeStats("Lab02.Reports.ReportEndpoints+<>c__DisplayClass3_0", 2_000, 80_000)
        {
            Fields = ["audit", "id", "report", "<>4__this"],
            Methods = ["<Get>b__0", "<Get>b__1"],
        };

        // Act
        var described = stats.ReadableName;

        // Assert
        described.Should().Be("closure of ReportEndpoints.Get capturing {audit, id, report, this} [ReportEndpoints+<>c__DisplayClass3_0]");
    }

    private static void Keep(int id, int bytes)
    {
        var buffer = new byte[bytes];
        Kept.Add(() => buffer.Length + id);
    }
}
