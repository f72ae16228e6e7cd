package org.pshmem.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The rule for task folder names: one path element each, inside the tracking folder, none shared. */
class TaskFolderNamesTest
{
    private static final String RULE = "; a task folder name is one path element, inside the tracking folder";

    @Test
    void plainNamesPass()
    {
        assertNull(TaskFolderNames.problem(List.of("a", "task-2", ".hidden", "spaced name", "é", "x".repeat(255))));
        assertNull(TaskFolderNames.problem(List.of()));
    }

    @Test
    void eachBadNameIsNamedWithItsTask()
    {
        assertEquals("task 1's folder name \"../up\" contains a path separator" + RULE,
            TaskFolderNames.problem(List.of("a", "../up")));
        assertEquals("task 0's folder name \"/tmp/x\" contains a path separator" + RULE,
            TaskFolderNames.problem(List.of("/tmp/x")));
        assertEquals("task 0's folder name \"a\\b\" contains a path separator" + RULE,
            TaskFolderNames.problem(List.of("a\\b")));
        assertEquals("task 0's folder name \"\" is empty" + RULE, TaskFolderNames.problem(List.of("")));
        assertEquals("task 0's folder name \".\" names no folder of its own" + RULE,
            TaskFolderNames.problem(List.of(".")));
        assertEquals("task 2's folder name \"..\" names no folder of its own" + RULE,
            TaskFolderNames.problem(List.of("a", "b", "..")));
        assertEquals("task 0's folder name \"tab\\u0009\" contains a control character" + RULE,
            TaskFolderNames.problem(List.of("tab\t")));
        assertEquals("task 1's folder name is null" + RULE, TaskFolderNames.problem(Arrays.asList("a", null)));
        assertEquals("task 0's folder name \".pshmem-batch.lock\" is the tracking folder's lock file" + RULE,
            TaskFolderNames.problem(List.of(TaskFolderNames.LOCK_FILE)));
        assertEquals("task 0's folder name \"" + "é".repeat(128) + "\" is longer than 255 bytes" + RULE,
            TaskFolderNames.problem(List.of("é".repeat(128))));
    }

    @Test
    void sharedNamesNameBothTasks()
    {
        assertEquals("tasks 1 and 3 have the same folder name \"d\"; each task needs a folder of its own",
            TaskFolderNames.problem(List.of("a", "d", "b", "d")));
    }
}
