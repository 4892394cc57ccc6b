/* CKAN shows dates with moment.js in the language of <html lang>, which is
   "zh-Hans-CN" on a Chinese page; moment knows Chinese only as "zh-cn", so
   it falls back to English ("December 7, 2026, 12:49 AM"). Name the
   page's locale after moment's own, keeping moment's current locale. */
(function (moment) {
  if (!moment) { return; }
  var aliases = {'zh-hans-cn': 'zh-cn', 'zh-hans': 'zh-cn', 'zh-hant-tw': 'zh-tw'};
  var current = moment.locale();
  Object.keys(aliases).forEach(function (name) {
    if (moment.locales().indexOf(name) === -1 && moment.locales().indexOf(aliases[name]) !== -1) {
      moment.defineLocale(name, {parentLocale: aliases[name]});
    }
  });
  moment.locale(current);
})(window.moment);

/* Select2 names its search box "Search" in English (CKAN's autocomplete
   gives it words for everything else): name it in the page's language. */
(function ($) {
  if (!$ || !$.fn.select2) { return; }
  $.fn.select2.defaults.set('language', {
    search: function () { return ckan.i18n._('Search'); }
  });
})(window.jQuery);
