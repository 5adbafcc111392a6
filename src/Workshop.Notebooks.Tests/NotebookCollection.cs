namespace Workshop.Notebooks.Tests;

/// <summary>
/// Every test that runs a notebook: the runner sets the process-wide current directory to the
/// notebook's folder, so these tests never run in parallel.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NotebookCollection
{
    public const string Name = "Notebooks (serial: a run changes the process current directory)";
}
