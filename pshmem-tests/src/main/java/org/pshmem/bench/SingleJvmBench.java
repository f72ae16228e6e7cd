package org.pshmem.bench;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs {@link ReadCopyBenchmark} under JMH (one fork, the host JVM's options, so the transport chosen for this
 * JVM is the one measured) and prints one {@code name value unit} line per benchmark in GB/s, then the read
 * and write API against the plain-array baselines of the same run.
 */
public final class SingleJvmBench
{
    private SingleJvmBench()
    {
    }

    /**
     * @param args none.
     * @throws RunnerException when JMH cannot run the benchmarks.
     */
    public static void main(final String[] args) throws RunnerException
    {
        final Options options = new OptionsBuilder()
            .include(ReadCopyBenchmark.class.getName() + "\\.")
            .forks(1)
            .warmupIterations(3)
            .warmupTime(TimeValue.seconds(1))
            .measurementIterations(5)
            .measurementTime(TimeValue.seconds(1))
            .verbosity(VerboseMode.SILENT)
            .build();
        final Collection<RunResult> results = new Runner(options).run();
        final Map<String, Double> gbps = new LinkedHashMap<>();
        for (final RunResult result : results)
        {
            final String label = result.getParams().getBenchmark();
            final String name = label.substring(label.lastIndexOf('.') + 1);
            final double millis = result.getPrimaryResult().getScore();
            final double error = result.getPrimaryResult().getScoreError();
            final double value = 8.0 * ReadCopyBenchmark.ELEMENTS / (millis / 1e3) / 1e9;
            gbps.put(name, value);
            System.out.printf("jmh_%s_GBps %.4g GB/s (99.9%% interval +-%.2g)%n", name, value,
                Double.isNaN(error) ? 0 : value * error / millis);
        }
        for (final String name : new String[] {"plainArraySum", "plainArrayCopy", "viewSum", "getFlatSum", "sumRegion",
            "minRegion", "maxRegion", "copyTo", "setWhole"})
        {
            if (!gbps.containsKey(name))
            {
                throw new IllegalStateException("JMH benchmark " + name + " gave no result; run java -cp ... " +
                    "org.openjdk.jmh.Main ReadCopyBenchmark." + name + " to see why");
            }
        }
        final double sum = gbps.get("plainArraySum");
        final double copy = gbps.get("plainArrayCopy");
        ratio("jmh_viewSum/plainArraySum", gbps.get("viewSum"), sum);
        ratio("jmh_getFlatSum/plainArraySum", gbps.get("getFlatSum"), sum);
        ratio("jmh_sumRegion/plainArraySum", gbps.get("sumRegion"), sum);
        ratio("jmh_minRegion/plainArraySum", gbps.get("minRegion"), sum);
        ratio("jmh_maxRegion/plainArraySum", gbps.get("maxRegion"), sum);
        ratio("jmh_copyTo/plainArrayCopy", gbps.get("copyTo"), copy);
        ratio("jmh_setWhole/plainArrayCopy", gbps.get("setWhole"), copy);
    }

    private static void ratio(final String name, final double value, final double baseline)
    {
        System.out.printf("%s %.4g ratio%n", name, value / baseline);
    }
}
