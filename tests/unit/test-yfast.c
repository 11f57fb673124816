/*
 * test-yfast.c - the fast block-YAML scanner against libyaml: what it
 * must take (and get exactly as libyaml does), what it must leave to
 * libyaml, and every YAML file of the test cases and of ../shared/corpus
 * (rendered charts, values, kustomizations) through both parsers.
 */
#include "test.h"
#include "../fuzz/yfast-cmp.h"

#include <dirent.h>
#include <sys/stat.h>

static const char *const accepted[] = {
	"a: 1\n",
	"a: 1",
	"a: 1\nb: two\n",
	"# comment\na: 1 # trailing\n\n# more\nb: 2\n",
	"a:\n  b: 1\n  c:\n    d: x\ne: 3\n",
	"a:\n- 1\n- 2\nb: 3\n",
	"a:\n  - 1\n  -   2\n",
	"- a\n- b\n",
	"- name: x\n  image: y\n- name: z\n",
	"- name: x\n  ports:\n  - 80\n  - 443\n",
	"a:\nb:\n",
	"a:\n  # only a comment\nb: 1\n",
	"-\n- x\n-\n",
	"a: 'single ''quoted'''\nb: \"double \\\"q\\\" \\\\ \\n \\t\"\n",
	"'quoted key': 1\n\"dq\" : 2\n",
	"a: plain text\n  continued here\n\n  and after a blank\nb: 1\n",
	"a: x\n  - not an entry\n  *star\n",
	"description: APIVersion defines the versioned schema of this\n"
	"  representation of an object.\nnext: 1\n",
	"a: |\n  line 1\n    indented\n\n  line 3\nb: 1\n",
	"a: |-\n  x\n\n\nb: 1\n",
	"a: |+\n  x\n\n\nb: 1\n",
	"a: |+\n  x\n",
	"a: |\n  x",
	"a: | # comment\n  x\n",
	"- |\n  in a sequence\n- b\n",
	"a: |\n\n  leading blank\n",
	"---\na: 1\n---\nb: 2\n",
	"a: 1\n---\n",
	"--- # c\n---\n",
	"---\n",
	"# only comments\n",
	"",
	"  a: 1\n  b: 2\n",
	"a: b:c\nurl: http://x/y?z=1#frag\n",
	"a: '#not a comment'\nb: x#y\n",
	"a: -1\nb: -x\n",
	"a:    \n  b: 1\n",
	"k: \xc3\xa9t\xc3\xa9 \xe2\x82\xac\n\xc3\xa9: v\nx:\n  \xc3\xa9: |\n    \xe2\x82\xac\n",
	"a: yes\nb: ~\nc: 0x1F\nd: 1e3\ne: 2001-12-14\nf: null\n",
	"a: 1\na: 2\n",
	"<<:\n  x: 1\ny: 2\n",
	"a:\n  b:\n  - c: 1\n    d: 2\n  - e\nf: 3\n",
	"args:\n- --leader-elect\n- ---x\n",
	"a: [1, 2]\nb: {}\nc: []\nd: {k: v, \"q\": 'w'}\ne: [ x , y ]\n",
	"command: [\"sleep\", \"5\"]\n",
	"- [a, b]\n- {}\n",
	"a: 'multi\n  line ''quoted''\n\n  text'\nb: \"dq  inner\n   next\"\n",
	"a: |\n  x\n    \n  y\n",
	"a: |\n  \n    x\n",
	"a: [x:y, -1]\n",
	"a: \"one \\\n    two\\\n\n   \\ three\"\n",
	"a: >\n  folded\n",
	"a: >\n  one\n  two\n\n  three\n\n\n  four\nb: 1\n",
	"a: >-\n  one\n   more\n  two\n   more\n\n   most\n  end\n",
	"a: >+\n  x\n\n",
	"a: >\n\n  \n  x\n  y\n\n\n",
	"- >\n  x\n\n   indented\n  y\n- >-\n  lead\n   more\n",
	"a: >\n  x\n    \n  y\n",
	"a: >  # comment\n  x\n  y\n",
	"a:\n  b: >-\n    long text that\n    goes on\n  c: 2\n",
};

static const char *const refused[] = {
	"a: [1, [2]]\n",
	"a: {b: {c: 1}}\n",
	"a: [1,]\n",
	"a: [1,\n  2]\n",
	"a: {b}\n",
	"a: &x 1\nb: *x\n",
	"a: !!str 1\n",
	"a: |2\n  x\n",
	"a:\t1\n",
	"a: 1\r\n",
	"? complex\n: key\n",
	"a: b: c\n",
	"a: - 1\n",
	"- - 1\n",
	"plain scalar document\n",
	"\"quoted document\"\n",
	"%YAML 1.1\n---\na: 1\n",
	"a: 1\n...\n",
	"--- a: 1\n",
	"a: 'unterminated\n  quote\n",
	"a: 'under\nindented'\n",
	"a: \"\\u00e9\"\n",
	"a: 1\n  b: 2\n",
	"a:\n  - 1\n  b: 2\n",
	"\xef\xbb\xbf" "a: 1\n",
	"a: \x01\n",
	"a: x\n  # comment\n  y\n",
	"a: |\n   \n  x\n",
	"a: |\n  x\n   ",
	"- args:\n ",
	"a:\n      b: 1\n  # c",
	"a: value:\n",
	/* left-out bytes inside runs of eight the scanner checks at once */
	"abcdefgh: ijk\x7flmnopqrs\n",
	"abcdefgh: ijklmno\x01pqrstuv\n",
	"abcdefghijklmnop:\tx\n",
	"abcdefgh: xyzxyzxy\r\nmore: y\n",
	"abcdefgh:\n        \t      x: 1\n",
};

TEST(accepts_and_matches_libyaml)
{
	for (size_t i = 0; i < sizeof(accepted) / sizeof(*accepted); i++) {
		const char *s = accepted[i];
		bool took;
		const char *bad = yfast_cmp_events(s, strlen(s), &took);

		if (!took)
			FAILF("refused: %s", s);
		if (bad)
			FAILF("%s\n  in: %s", bad, s);
		if ((bad = yfast_cmp_docs(s, strlen(s), 0)))
			FAILF("%s\n  in: %s", bad, s);
	}
}

TEST(refuses_the_rest)
{
	for (size_t i = 0; i < sizeof(refused) / sizeof(*refused); i++) {
		const char *s = refused[i];
		bool took;
		const char *bad = yfast_cmp_events(s, strlen(s), &took);

		if (took)
			FAILF("accepted: %s", s);
		CHECK(!bad);
		if ((bad = yfast_cmp_docs(s, strlen(s), 0)))
			FAILF("%s\n  in: %s", bad, s);
	}
}

TEST(duplicate_key_error_same)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_docs d;
	struct rg_err err = RG_ERR_INIT;
	const char *s = "x: 1\ny:\n  z: 2\nx: 3\n";

	CHECK_INT(rg_doc_parse(&d, a, "f.yaml", s, strlen(s), 0, &err),
		  RG_EPARSE);
	CHECK_STR(err.msg, "mapping key \"x\" already defined at line 1");
	CHECK_INT(err.line, 4);
	CHECK_INT(err.col, 1);
	rg_arena_free(a);
}

struct walk {
	size_t files, took, bytes, took_bytes;
	char first_bad[1024];
};

static void check_file(struct walk *w, const char *path)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *data;
	const char *bad;
	bool took;

	if (!f)
		return;
	if (fstat(fileno(f), &st) || st.st_size > (64 << 20)) {
		fclose(f);
		return;
	}
	data = rg_xmalloc((size_t)st.st_size + 1);
	if (fread(data, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		fclose(f);
		free(data);
		return;
	}
	fclose(f);
	w->files++;
	w->bytes += (size_t)st.st_size;
	bad = yfast_cmp_events(data, (size_t)st.st_size, &took);
	if (took) {
		w->took++;
		w->took_bytes += (size_t)st.st_size;
	}
	if (!bad)
		bad = yfast_cmp_docs(data, (size_t)st.st_size, 0);
	if (!bad)
		bad = yfast_cmp_docs(data, (size_t)st.st_size,
				     RG_PARSE_YAML12 | RG_PARSE_DUP_KEYS_OK);
	if (bad && !w->first_bad[0])
		snprintf(w->first_bad, sizeof(w->first_bad), "%s: %s", path,
			 bad);
	free(data);
}

static bool yaml_name(const char *name)
{
	size_t n = strlen(name);

	return (n > 5 && !strcmp(name + n - 5, ".yaml")) ||
	       (n > 4 && !strcmp(name + n - 4, ".yml"));
}

static void walk_dir(struct walk *w, const char *dir, int depth)
{
	DIR *d = depth < 12 ? opendir(dir) : NULL;
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[4096];
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode))
			walk_dir(w, path, depth + 1);
		else if (S_ISREG(st.st_mode) && yaml_name(de->d_name))
			check_file(w, path);
	}
	closedir(d);
}

TEST(every_yaml_file_parses_the_same)
{
	static const char *const dirs[] = {
		"tests/cases", "tests/fuzz/corpus/yaml", "contrib",
		"bench", "../shared/corpus",
	};
	struct walk w;

	memset(&w, 0, sizeof(w));
	for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++)
		walk_dir(&w, dirs[i], 0);
	printf("# %zu YAML files (%zu bytes); the fast scanner took %zu "
	       "(%zu bytes)\n", w.files, w.bytes, w.took, w.took_bytes);
	if (w.first_bad[0])
		FAILF("%s", w.first_bad);
	CHECK(w.files > 100);
	/* most real files are in the subset, or the scanner is useless */
	CHECK(w.took * 2 > w.files);
}
