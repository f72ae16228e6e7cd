package org.pshmem.tests;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.pshmem.api.Communicator;
import org.pshmem.api.Pshmem;
import org.pshmem.api.ReduceOp;
import org.pshmem.spi.Setting;

/**
 * Every conformance scenario in one launch, for transports whose ranks are separate launches (MPJ): rank 0
 * prints {@code SCENARIO <name> OK} once every rank passed a scenario. A rank whose check fails prints
 * {@code SCENARIO <name> FAILED on rank <r>: ...} and throws, which aborts the job. First, rank 0 prints the
 * replication chunk every rank runs with ({@value #CHUNK_LINE}{@code <bytes>}, or {@code ranks differ}), so a
 * test can see that its setting reached the rank JVMs.
 */
public final class ConformanceJob
{
    /** The start of rank 0's line naming the {@code pshmem.setChunkBytes} of every rank. */
    public static final String CHUNK_LINE = "SETTING pshmem.setChunkBytes on every rank: ";

    private ConformanceJob()
    {
    }

    /**
     * Returns every conformance scenario by name, in the order the job runs them.
     *
     * @return every conformance scenario by name, in the order the job runs them.
     */
    public static Map<String, Scenario> scenarios()
    {
        final Map<String, Scenario> scenarios = new LinkedHashMap<>(SharedArrayScenarios.all());
        scenarios.putAll(CommunicatorScenarios.all());
        scenarios.putAll(CoordinationScenarios.all());
        scenarios.putAll(LockScenarios.all());
        scenarios.putAll(SyncScenarios.all());
        return scenarios;
    }

    /**
     * Returns the names of every conformance scenario, in the order the job runs them.
     *
     * @return the names of every conformance scenario, in the order the job runs them.
     */
    public static List<String> scenarioNames()
    {
        return List.copyOf(scenarios().keySet());
    }

    /**
     * Returns the line, with its line end, that rank 0 prints once every rank passed a scenario.
     *
     * @param scenario a scenario's name.
     * @return the line.
     */
    public static String passedLine(final String scenario)
    {
        return "SCENARIO " + scenario + " OK\n";
    }

    /**
     * Returns the scenarios a run did not pass on every rank.
     *
     * @param output what a whole run of the job printed.
     * @return the scenarios that the output does not say every rank passed, in the order the job runs them.
     */
    public static List<String> notPassed(final String output)
    {
        return scenarioNames().stream().filter(name -> !output.contains(passedLine(name))).collect(Collectors.toList());
    }

    /**
     * @param args {@link ExpectedLayout#ARG}{@code K}, the number of nodes the job was started with, and
     *             optionally comma-separated scenario names (all scenarios when absent).
     * @throws Exception when a scenario or the job fails; the launcher reports it and fails the job.
     */
    public static void main(final String[] args) throws Exception
    {
        try (Pshmem pshmem = Pshmem.init(args))
        {
            final String[] appArgs = pshmem.args();
            final List<String> only = Arrays.stream(appArgs).filter(arg -> !arg.startsWith(ExpectedLayout.ARG))
                .findFirst().map(arg -> Arrays.asList(arg.split(","))).orElse(null);
            final Map<String, Scenario> scenarios = scenarios();
            final Communicator world = pshmem.world();
            final long chunk = Setting.SET_CHUNK_BYTES.intValue();
            final long least = world.allReduce(chunk, ReduceOp.MIN);
            final long most = world.allReduce(chunk, ReduceOp.MAX);
            if (world.rank() == 0)
            {
                System.out.println(CHUNK_LINE + (least == most ? Long.toString(chunk) : "ranks differ"));
            }
            for (final Map.Entry<String, Scenario> scenario : scenarios.entrySet())
            {
                if (null != only && !only.contains(scenario.getKey()))
                {
                    continue;
                }
                world.barrier();
                try
                {
                    scenario.getValue().run(pshmem);
                }
                catch (final Throwable ex)
                {
                    System.out.println("SCENARIO " + scenario.getKey() + " FAILED on rank " + world.rank() + ": " + ex);
                    throw ex;
                }
                if (world.allReduce(1, ReduceOp.SUM) == world.size() && world.rank() == 0)
                {
                    System.out.println("SCENARIO " + scenario.getKey() + " OK");
                }
            }
        }
    }
}
