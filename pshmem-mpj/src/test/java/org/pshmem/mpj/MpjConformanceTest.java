package org.pshmem.mpj;

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
 * The whole conformance suite on MPJ Express, one launch per layout: niodev with 4 JVMs on one node, with 2
 * simulated nodes of 2 ranks, and with 3 ranks on 2 nodes (the uneven last node); the multicore device with
 * 4 threads. Every scenario is a test that passes when rank 0 reported that all ranks passed it. The ranks
 * replicate in chunks of {@value #CHUNK_BYTES} bytes (the default is 8 MiB), so a large {@code set()} between
 * nodes spans many messages.
 */
class MpjConformanceTest
{
    static final int CHUNK_BYTES = 65536;

    /** Launcher options of a layout, and the node count its ranks must find. */
    private record Layout(List<String> options, int nodes)
    {
    }

    private static final List<Layout> LAYOUTS = List.of(
        new Layout(List.of("-np", "4", "--device", "niodev"), 1),
        new Layout(List.of("-np", "4", "--device", "niodev", "--nodes", "2"), 2),
        new Layout(List.of("-np", "3", "--device", "niodev", "--nodes", "2"), 2),
        new Layout(List.of("-np", "4", "--device", "multicore"), 1));

    @TestFactory
    Stream<DynamicContainer> everyScenarioOnEveryLayout()
    {
        final List<String> scenarios = ConformanceJob.scenarioNames();
        return LAYOUTS.stream().map(layout ->
        {
            final List<String> options = new ArrayList<>(layout.options());
            options.addAll(List.of("--timeout", "600"));
            final Map<String, DynamicTest> tests = new LinkedHashMap<>();
            final MpjJobs.Result[] result = new MpjJobs.Result[1];
            tests.put("job", DynamicTest.dynamicTest("the job finishes with status 0", () ->
            {
                result[0] = MpjJobs.run(options, List.of("-Dpshmem.setChunkBytes=" + CHUNK_BYTES), line -> { },
                    ConformanceJob.class.getName(), ExpectedLayout.arg(layout.nodes()));
                assertEquals(0, result[0].status(), result[0].both());
                assertTrue(result[0].out().contains(ConformanceJob.CHUNK_LINE + CHUNK_BYTES + "\n"), result[0].both());
            }));
            for (final String scenario : scenarios)
            {
                tests.put(scenario, DynamicTest.dynamicTest(scenario, () ->
                {
                    assertTrue(null != result[0], "the job ran");
                    assertTrue(result[0].out().contains(ConformanceJob.passedLine(scenario)), result[0].both());
                }));
            }
            return DynamicContainer.dynamicContainer(String.join(" ", layout.options()), tests.values().stream());
        });
    }
}
