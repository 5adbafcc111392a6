using BenchmarkDotNet.Running;

namespace Workshop.Pipeline.Benchmarks;

public static class Program
{
    // dotnet run -c Release --project chapters/00-middleware-pipeline/Benchmarks -- --filter '*' --job short --inProcess
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
