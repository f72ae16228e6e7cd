package org.pshmem.mpi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.pshmem.tests.ConformanceJob;
import org.pshmem.tests.ExpectedLayout;

/**
 * The whole conformance suite on the native MPI transport, one {@code mpirun} launch per layout: 4 ranks on this
 * one node; 4 ranks as 2 nodes of 2 and 3 ranks as 2 nodes (the uneven last node), the nodes simulated by the
 * node setting ({@code pshmem.node}) as MPJ's {@code --nodes} does, so arrays are replicated between them by
 * messages. The rank JVMs find the transport through {@code ServiceLoader} ({@code mpirun} set their rank
 * variables), as an application would. Every scenario is a test that passes when rank 0 reported that all ranks
 * passed it. The ranks replicate in chunks of {@value #CHUNK_BYTES} bytes (the default is 8 MiB), so a large
 * {@code set()} spans many messages.
 */
class MpiConformanceTest
{
    static final int CHUNK_BYTES = 65536;
    private static final long TIMEOUT_SECONDS = 900;

    /** Ranks of a layout, JVM options of its ranks, and the node count its ranks must find. */
    private record Layout(String label, int ranks, List<String> options, int nodes)
    {
    }

    private static final List<Layout> LAYOUTS = List.of(
        new Layout("-np 4, one node", 4, List.of(), 1),
        new Layout("-np 4, 2 simulated nodes", 4, List.of("-Dpshmem.node=n0,n0,n1,n1"), 2),
        new Layout("-np 3, 2 simulated nodes", 3, List.of("-Dpshmem.node=n0,n0,n1"), 2));

    @TestFactory
    Stream<DynamicContainer> everyScenarioOnEveryLayout()
    {
        final List<String> scenarios = ConformanceJob.scenarioNames();
        return LAYOUTS.stream().map(layout ->
        {
            final Map<String, DynamicTest> tests = new LinkedHashMap<>();
            final MpiRun.Result[] result = new MpiRun.Result[1];
            tests.put("job", DynamicTest.dynamicTest("the job finishes with status 0", () ->
            {
                final List<String> jvm = new ArrayList<>(MpiRun.chronicleOptions());
                jvm.add("-Xmx256m");
                jvm.add("-Dpshmem.setChunkBytes=" + CHUNK_BYTES);
                jvm.addAll(layout.options());
                final List<String> command = new ArrayList<>(List.of("mpirun", "--oversubscribe", "-np",
                    Integer.toString(layout.ranks())));
                command.addAll(MpiRun.java(ConformanceJob.class, jvm, ExpectedLayout.arg(layout.nodes())));
                result[0] = MpiRun.run(command, TIMEOUT_SECONDS, "conformance");
                assertEquals(0, result[0].exitCode(), result[0].output());
                assertTrue(result[0].output().contains(ConformanceJob.CHUNK_LINE + CHUNK_BYTES + "\n"),
                    result[0].output());
            }));
            for (final String scenario : scenarios)
            {
                tests.put(scenario, DynamicTest.dynamicTest(scenario, () ->
                {
                    assertTrue(null != result[0], "the job ran");
                    assertTrue(result[0].output().contains(ConformanceJob.passedLine(scenario)), result[0].output());
                }));
            }
            return DynamicContainer.dynamicContainer(layout.label(), tests.values().stream());
        });
    }
}
